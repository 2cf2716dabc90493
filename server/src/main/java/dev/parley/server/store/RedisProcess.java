package dev.parley.server.store;

import javax.net.ssl.SSLContext;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} child process on a free loopback port, keeping its data (an append-only
 * file, fsynced on every write: {@code appendonly yes}, {@code appendfsync always}, unless
 * {@link #configure} changes that) in a directory of its own; for tests, benchmarks and
 * {@code parley demo --cluster}. It can be stopped and started again on the same port and data, as
 * a restarted Redis would be. It may serve TLS only ({@link #startWithTls}). Not thread-safe.
 */
public final class RedisProcess implements AutoCloseable {

    /** The program looked for on {@code PATH}. */
    public static final String PROGRAM = "redis-server";
    /** What a user is told when {@value #PROGRAM} is missing. */
    public static final String HOW_TO_INSTALL = PROGRAM + " is not on PATH; install Redis (Debian/Ubuntu: "
            + "apt-get install redis-server; macOS: brew install redis) or Valkey, whose valkey-server can be "
            + "linked as redis-server";

    private static final Duration START_LIMIT = Duration.ofSeconds(10);
    private static final int PORT_ATTEMPTS = 5;

    private final Path program;
    private final Path directory;
    private final boolean ownsDirectory;
    /** Its certificate and key, and what trusts them, if it serves TLS; else null. */
    private final Tls tls;
    private int port;
    private Process process;

    private record Tls(Path certificateChain, Path privateKey, SSLContext trust) {
    }

    private RedisProcess(Path program, Path directory, boolean ownsDirectory, Tls tls) {
        this.program = program;
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
        this.tls = tls;
    }

    /** Where {@value #PROGRAM} is on {@code PATH}, or null if it is not there. */
    public static Path find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String folder : path.split(File.pathSeparator)) {
            Path candidate = Path.of(folder.isEmpty() ? "." : folder, PROGRAM);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Starts Redis with its data in a new temporary directory, deleted by {@link #close()}. */
    public static RedisProcess start() throws IOException {
        return start(Files.createTempDirectory("parley-redis"), true, null);
    }

    /** Starts Redis with its data in {@code directory}, which is kept. */
    public static RedisProcess start(Path directory) throws IOException {
        Files.createDirectories(directory);
        return start(directory, false, null);
    }

    /**
     * Starts Redis serving TLS only ({@code rediss://}), with the PEM files {@code certificateChain}
     * and {@code privateKey} (which must name 127.0.0.1) and its data in a new temporary directory,
     * deleted by {@link #close()}. Clients connect with {@link #clientOptions()}, which trust what
     * {@code trust} trusts.
     */
    public static RedisProcess startWithTls(Path certificateChain, Path privateKey, SSLContext trust)
            throws IOException {
        return start(Files.createTempDirectory("parley-redis"), true, new Tls(certificateChain, privateKey, trust));
    }

    private static RedisProcess start(Path directory, boolean ownsDirectory, Tls tls) throws IOException {
        Path program = find();
        if (program == null) {
            throw new IOException(HOW_TO_INSTALL);
        }
        var redis = new RedisProcess(program, directory, ownsDirectory, tls);
        redis.startOnFreePort();
        return redis;
    }

    /** The address clients reach it at: {@code rediss://} if it serves TLS. */
    public RedisAddress address() {
        return tls == null ? RedisAddress.of("127.0.0.1", port) : new RedisAddress(true, "127.0.0.1", port, null, null, 0);
    }

    /** Options with which clients reach it: the defaults, trusting its certificate if it serves TLS. */
    public RedisOptions clientOptions() {
        return tls == null ? RedisOptions.defaults() : RedisOptions.defaults().withTls(tls.trust());
    }

    /** Its port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Where it keeps its append-only file. */
    public Path directory() {
        return directory;
    }

    /**
     * Sets Redis's {@code parameter} to {@code value} while it runs ({@code CONFIG SET}), until it
     * is restarted: the benchmark measures {@code appendfsync everysec} this way.
     *
     * @throws IOException if Redis cannot be reached or refuses, saying why
     */
    public void configure(String parameter, String value) throws IOException {
        try (var connection = RedisConnection.open(address(), clientOptions())) {
            Object reply = connection.call(List.of("CONFIG", "SET", parameter, value));
            if (!"OK".equals(reply)) {
                throw new IOException("redis-server refused CONFIG SET " + parameter + " " + value + ": "
                        + (reply instanceof RedisConnection.Failure failure ? failure.message() : reply));
            }
        }
    }

    /** True while the process runs. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts it again after {@link #stop()} or {@link #kill()}, on the same port and data, and
     * waits until it answers.
     */
    public void restart() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("redis-server is still running on port " + port);
        }
        launch(port);
    }

    /** Asks it to stop (SIGTERM: it finishes writing its file) and waits until it has. */
    public void stop() throws IOException {
        end(false);
    }

    /** Kills it at once (SIGKILL), as a crash would, and waits until it is gone. */
    public void kill() throws IOException {
        end(true);
    }

    /** Stops it and deletes its directory if it made it. */
    @Override
    public void close() throws IOException {
        stop();
        if (ownsDirectory) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void startOnFreePort() throws IOException {
        IOException last = null;
        // A free port may be taken by someone else between finding it and Redis binding it: try another.
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int candidate;
            try (var probe = new ServerSocket(0)) {
                candidate = probe.getLocalPort();
            }
            try {
                launch(candidate);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private void launch(int candidate) throws IOException {
        Path log = directory.resolve("redis.log");
        List<String> command = new ArrayList<>(List.of(program.toString(), "--bind", "127.0.0.1",
                "--dir", directory.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--daemonize", "no", "--logfile", ""));
        if (tls == null) {
            command.addAll(List.of("--port", Integer.toString(candidate)));
        } else {
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(candidate),
                    "--tls-cert-file", tls.certificateChain().toString(), "--tls-key-file", tls.privateKey().toString(),
                    "--tls-auth-clients", "no"));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        port = candidate;
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        var options = clientOptions();
        // Bounded by START_LIMIT.
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " at start-up; see " + log);
            }
            try (var connection = RedisConnection.open(address(), options)) {
                if ("PONG".equals(connection.call(List.of("PING")))) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet: wait a little for it.
                try {
                    process.waitFor(20, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    end(true);
                    throw new IOException("interrupted while redis-server started", e);
                }
            }
        }
        end(true);
        throw new IOException("redis-server did not answer within " + START_LIMIT.toSeconds() + " s; see " + log);
    }

    private void end(boolean kill) throws IOException {
        if (process == null) {
            return;
        }
        if (kill) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while redis-server stopped", e);
        }
    }
}
