package dev.parley.chaos.im;

import com.sun.security.auth.module.UnixSystem;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Kernel-level loss as a second opinion on the proxy: in a network namespace of its own, an
 * nftables rule drops a share of every TCP and UDP packet on loopback, at random, and the IM
 * conversation runs through it with no proxy at all. Unlike a proxy that terminates TCP, this is
 * real packet loss for TCP too. Needs root, {@code ip} and {@code nft} ({@code apt-get install
 * nftables}); skipped, saying which is missing, otherwise. The kernel's random drops are not
 * seeded: the share, not the pattern, is what a rerun repeats.
 */
class KernelPacketLossTest {

    /** Packets dropped per thousand, each way. */
    private static final int DROPPED_PER_THOUSAND = 100;
    private static final long RUN_SECONDS = 120;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @OverFaultTransports
    void deliversEveryMessageOnceInOrderWhenTheKernelDropsTenPercentOfPackets(String transportName) throws Exception {
        assumeTrue(new UnixSystem().getUid() == 0, "needs root to create a network namespace");
        assumeTrue(executable("ip"), "needs the ip command (iproute2)");
        assumeTrue(executable("nft"), "needs the nft command (apt-get install nftables)");
        String namespace = "parley-chaos-" + ProcessHandle.current().pid() + "-" + NAMESPACES.incrementAndGet();
        Outcome created = run(null, "ip", "netns", "add", namespace);
        assumeTrue(created.code() == 0, "cannot create a network namespace here: " + created.output());
        try {
            assertThat(run(null, "ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up").code()).isZero();
            assertThat(run(ruleset(), "ip", "netns", "exec", namespace, "nft", "-f", "-"))
                    .extracting(Outcome::code).isEqualTo(0);

            Outcome conversation = run(null, "ip", "netns", "exec", namespace,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KernelLossRun.class.getName(), transportName);

            Outcome rules = run(null, "ip", "netns", "exec", namespace, "nft", "list", "chain", "inet", "parley_chaos", "output");
            Matcher dropped = Pattern.compile("counter packets (\\d+)").matcher(rules.output());
            assertThat(dropped.find()).as("the drop rule counts: %s", rules.output()).isTrue();
            assertThat(Long.parseLong(dropped.group(1))).as("packets the kernel dropped").isPositive();
            assertThat(conversation.output()).contains("verdict: valid: " + KernelLossRun.DELIVERIES + "/"
                    + KernelLossRun.DELIVERIES + " deliveries");
            assertThat(conversation.code()).isZero();
        } finally {
            run(null, "ip", "netns", "del", namespace);
        }
    }

    private static String ruleset() {
        return """
                table inet parley_chaos {
                    chain output {
                        type filter hook output priority 0; policy accept;
                        meta l4proto { tcp, udp } numgen random mod 1000 < %d counter drop
                    }
                }
                """.formatted(DROPPED_PER_THOUSAND);
    }

    private record Outcome(int code, String output) {
    }

    /** Runs a command to its end (at most {@link #RUN_SECONDS}), feeding it {@code input} if not null. */
    private static Outcome run(String input, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("parley-chaos", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            try (var stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(RUN_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Outcome(-1, "timed out after " + RUN_SECONDS + " s: " + Files.readString(output));
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
