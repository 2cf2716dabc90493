package dev.parley.chaos.im;

import dev.parley.chaos.NetworkNamespace;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Kernel-level loss as a second opinion on the proxy: in a {@link NetworkNamespace} of its own, an
 * nftables rule drops a share of every TCP and UDP packet on loopback, at random, and the IM
 * conversation runs through it with no proxy at all. Unlike a proxy that terminates TCP, this is
 * real packet loss for TCP too. Needs root, {@code ip} and {@code nft}; skipped, saying which is
 * missing, otherwise, except under {@code CI=true}, where {@code .ci/run} installs them and a
 * missing one fails the test.
 */
class KernelPacketLossTest {

    /** Packets dropped per thousand, each way. */
    private static final int DROPPED_PER_THOUSAND = 100;
    private static final Duration RUN_LIMIT = Duration.ofSeconds(120);

    @OverFaultTransports
    void deliversEveryMessageOnceInOrderWhenTheKernelDropsTenPercentOfPackets(String transportName) throws Exception {
        var missing = NetworkNamespace.unavailable();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(missing).as("CI=true needs kernel packet loss to run").isEmpty();
        }
        assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
        try (var namespace = NetworkNamespace.create("parley-chaos")) {
            namespace.dropPerThousand(DROPPED_PER_THOUSAND);

            NetworkNamespace.Outcome conversation = namespace.execute(RUN_LIMIT, List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KernelLossRun.class.getName(), transportName));

            assertThat(namespace.droppedPackets()).as("packets the kernel dropped").isPositive();
            assertThat(conversation.output()).contains("verdict: valid: " + KernelLossRun.DELIVERIES + "/"
                    + KernelLossRun.DELIVERIES + " deliveries");
            assertThat(conversation.code()).isZero();
        }
    }
}
