package dev.parley.chaos;

import com.sun.security.auth.module.UnixSystem;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux network namespace of its own, loopback up, where an nftables rule can drop a share of
 * every TCP and UDP packet at random: real packet loss that TCP feels too, unlike a proxy that
 * terminates TCP; and where loopback can be made a bottleneck, a link of a given rate with a queue
 * of a given size ({@link #limitRate}), which flows must share. Traffic of the programs run
 * {@linkplain #inside inside} it never leaves it. Needs root, {@code ip} and {@code tc} (iproute2)
 * and {@code nft} ({@code apt-get install nftables});
 * {@link #unavailable()} says which is missing. The kernel's random drops are not seeded: the
 * share, not the pattern, is what a rerun repeats.
 *
 * <pre>{@code
 * try (var namespace = NetworkNamespace.create("parley-bench")) {
 *     namespace.dropPerThousand(50);
 *     new ProcessBuilder(namespace.inside(List.of("java", "-cp", ..., "Main"))).start() ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} deletes the namespace; a shutdown hook deletes it too if the JVM exits
 * first. Used by one thread at a time.
 */
public final class NetworkNamespace implements AutoCloseable {

    /** How long one {@code ip} or {@code nft} command may take. */
    public static final Duration COMMAND_LIMIT = Duration.ofSeconds(30);

    private static final String TABLE = "parley_loss";
    /** The largest packet loopback carries: its MTU (64 KiB) and an Ethernet-sized header. */
    private static final int LOOPBACK_PACKET_BYTES = 65_536 + 14;
    private static final AtomicInteger CREATED = new AtomicInteger();

    private final String name;
    private final Thread deleteAtExit;

    /** What a finished command returned: its exit code and its output and errors together. */
    public record Outcome(int code, String output) {
    }

    private NetworkNamespace(String name) {
        this.name = name;
        this.deleteAtExit = new Thread(this::delete, "delete-netns-" + name);
    }

    /** Why no namespace can be made here (not root, no {@code ip}, {@code tc} or {@code nft}), or empty if one can. */
    public static Optional<String> unavailable() {
        if (new UnixSystem().getUid() != 0) {
            return Optional.of("needs root to create a network namespace");
        }
        if (!executable("ip")) {
            return Optional.of("needs the ip command (iproute2)");
        }
        if (!executable("tc")) {
            return Optional.of("needs the tc command (iproute2)");
        }
        if (!executable("nft")) {
            return Optional.of("needs the nft command (apt-get install nftables)");
        }
        return Optional.empty();
    }

    /**
     * Creates a namespace named {@code prefix}, this process's id and a counter, with loopback up
     * and no packet dropped yet.
     *
     * @throws IOException if it cannot be created (see {@link #unavailable()})
     */
    public static NetworkNamespace create(String prefix) throws IOException {
        var namespace = new NetworkNamespace(prefix + "-" + ProcessHandle.current().pid() + "-" + CREATED.incrementAndGet());
        namespace.require(runQuietly(null, List.of("ip", "netns", "add", namespace.name)), "create");
        Runtime.getRuntime().addShutdownHook(namespace.deleteAtExit);
        try {
            namespace.require(runQuietly(null, namespace.inside(List.of("ip", "link", "set", "lo", "up"))),
                    "bring loopback up in");
        } catch (IOException e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /** The namespace's name, as {@code ip netns list} shows it. */
    public String name() {
        return name;
    }

    /** {@code command} prefixed so that it runs inside this namespace. */
    public List<String> inside(List<String> command) {
        List<String> prefixed = new ArrayList<>(List.of("ip", "netns", "exec", name));
        prefixed.addAll(command);
        return prefixed;
    }

    /**
     * Runs {@code command} inside the namespace to its end, at most {@code limit}; a command
     * still running then is killed and reported with code -1.
     */
    public Outcome execute(Duration limit, List<String> command) throws IOException, InterruptedException {
        return run(null, limit, inside(command));
    }

    /**
     * Drops {@code perThousand} of every TCP and UDP packet sent in the namespace, at random,
     * counting them; replaces any earlier rule and resets the count. 0 drops nothing.
     *
     * @throws IllegalArgumentException if {@code perThousand} is not within 0..1000
     */
    public void dropPerThousand(int perThousand) throws IOException {
        if (perThousand < 0 || perThousand > 1000) {
            throw new IllegalArgumentException("perThousand must be within 0..1000, was " + perThousand);
        }
        // Every packet on loopback passes the output hook once, so each direction loses the share.
        String rules = """
                table inet %1$s
                delete table inet %1$s
                table inet %1$s {
                    chain output {
                        type filter hook output priority 0; policy accept;
                        meta l4proto { tcp, udp } numgen random mod 1000 < %2$d counter drop
                    }
                }
                """.formatted(TABLE, perThousand);
        require(runQuietly(rules, inside(List.of("nft", "-f", "-"))), "set the drop rule in");
    }

    /**
     * Makes loopback a bottleneck: every packet sent in the namespace leaves at {@code bytesPerSecond}
     * at most, through a drop-tail queue of {@code queueBytes} (a token-bucket filter, {@code tc
     * qdisc tbf}, whose bucket holds one loopback packet); replaces any earlier limit. Flows in the
     * namespace then share the rate as flows share a real link, and those that overfill the queue
     * lose packets.
     *
     * @throws IllegalArgumentException if either figure is not positive
     */
    public void limitRate(long bytesPerSecond, long queueBytes) throws IOException {
        if (bytesPerSecond <= 0 || queueBytes <= 0) {
            throw new IllegalArgumentException("rate and queue must be positive, were " + bytesPerSecond + " B/s and "
                    + queueBytes + " B");
        }
        require(runQuietly(null, inside(List.of("tc", "qdisc", "replace", "dev", "lo", "root", "tbf",
                "rate", bytesPerSecond * 8 + "bit", "burst", Integer.toString(LOOPBACK_PACKET_BYTES),
                "limit", Long.toString(queueBytes)))), "limit the rate of loopback in");
    }

    /** Packets the drop rule has dropped since {@link #dropPerThousand} last set it. */
    public long droppedPackets() throws IOException {
        Outcome rules = runQuietly(null, inside(List.of("nft", "list", "chain", "inet", TABLE, "output")));
        require(rules, "read the drop counter in");
        Matcher dropped = Pattern.compile("counter packets (\\d+)").matcher(rules.output());
        if (!dropped.find()) {
            throw new IOException("no drop counter in namespace " + name + ": " + rules.output());
        }
        return Long.parseLong(dropped.group(1));
    }

    /** Deletes the namespace and everything in it. Idempotent. */
    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(deleteAtExit);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The JVM is exiting (the hook runs) or the hook was never added: nothing to undo.
        }
    }

    private void delete() {
        try {
            run(null, COMMAND_LIMIT, List.of("ip", "netns", "del", name));
        } catch (IOException e) {
            // Already gone, or ip failed: nothing more can be done here.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void require(Outcome outcome, String what) throws IOException {
        if (outcome.code() != 0) {
            throw new IOException("cannot " + what + " network namespace " + name + ": " + outcome.output().strip());
        }
    }

    private static Outcome runQuietly(String input, List<String> command) throws IOException {
        try {
            return run(input, COMMAND_LIMIT, command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        }
    }

    /** Runs {@code command} to its end (at most {@code limit}), feeding it {@code input} if not null. */
    private static Outcome run(String input, Duration limit, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("parley-netns", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            try (var stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                return new Outcome(-1, "timed out after " + limit + ": " + Files.readString(output));
            }
            return new Outcome(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean executable(String name) {
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        directories.addAll(List.of("/usr/sbin", "/sbin"));
        return directories.stream().anyMatch(directory -> Files.isExecutable(Path.of(directory, name)));
    }
}
