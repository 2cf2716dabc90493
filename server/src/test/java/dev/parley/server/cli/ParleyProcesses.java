package dev.parley.server.cli;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code parley} commands run as child JVMs on this test's class path, each killed after the test
 * if still running. Register it in a field with {@code @RegisterExtension}. Used by the test thread.
 */
final class ParleyProcesses implements AfterEachCallback {

    private final List<Process> processes = new ArrayList<>();

    /**
     * Starts {@code parley args...} with {@code environment} added (and {@value ChatCommand#PASSWORD_VARIABLE}
     * only if given there), standard error to {@code errorFile} if not null.
     */
    Process start(Map<String, String> environment, Path errorFile, String... args) throws IOException {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ParleyCommand.class.getName()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.environment().remove(ChatCommand.PASSWORD_VARIABLE);
        builder.environment().putAll(environment);
        if (errorFile != null) {
            builder.redirectError(errorFile.toFile());
        }
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        processes.forEach(Process::destroyForcibly);
        processes.clear();
    }
}
