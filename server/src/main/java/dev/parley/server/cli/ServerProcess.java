package dev.parley.server.cli;

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
 * {@code parley server} in a child JVM (this JVM's {@code java} and class path), for what kills
 * a server as {@code kill -9} does: {@code parley demo --cluster} and the crash tests. Its output is
 * read and dropped once it listens. Closing it kills it. Thread-safe.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on \\w+ .*:(\\d+)$");

    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code parley server ARGUMENTS} and waits until it says where it listens.
     *
     * @throws IOException if it cannot be started, or ends without listening (saying what it printed)
     */
    public static ServerProcess start(List<String> arguments) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var command = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ParleyCommand.class.getName(), "server"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> said = new ArrayList<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    Thread.ofVirtual().name("parley-server-output-" + process.pid()).start(() -> drain(lines));
                    return new ServerProcess(process, Integer.parseInt(matcher.group(1)));
                }
                said.add(line);
            }
            throw new IOException("parley server ended without listening (exit " + process.waitFor() + "): " + said);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while parley server started", e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** Its process id. */
    public long pid() {
        return process.pid();
    }

    /** Kills it at once (SIGKILL, as {@code kill -9}) and waits until it is gone. */
    public void kill() throws InterruptedException {
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
