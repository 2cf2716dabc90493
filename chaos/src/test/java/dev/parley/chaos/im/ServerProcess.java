package dev.parley.chaos.im;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code parley server} in a child JVM, for tests that kill it as {@code kill -9} does. Closing it
 * kills it; a test registers it for closing as soon as it is started, so that no process outlives
 * its test, even a failed one.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on \\w+ .*:(\\d+)$");

    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code parley server} with {@code arguments} and waits until it says where it listens.
     * {@code started} is told of the process before the wait, so that it is killed even if the wait fails.
     */
    static ServerProcess start(List<AutoCloseable> started, String... arguments) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var command = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.parley.server.cli.ParleyCommand", "server"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(() -> process.destroyForcibly().waitFor());
        var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> said = new ArrayList<>();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                Thread.ofVirtual().start(() -> drain(lines));
                return new ServerProcess(process, Integer.parseInt(matcher.group(1)));
            }
            said.add(line);
        }
        throw new IOException("the server process ended without listening (exit " + exitValue(process) + "): " + said);
    }

    private static String exitValue(Process process) {
        try {
            return Integer.toString(process.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** The port it listens on. */
    int port() {
        return port;
    }

    /** Kills it at once, as {@code kill -9} does, and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private static void drain(BufferedReader lines) {
        try {
            while (lines.readLine() != null) {
                continue;
            }
        } catch (IOException e) {
            // The process is gone; nothing more to read.
        }
    }
}
