package dev.parley.chaos;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Parley's reliable UDP beside a TCP flow on a real bottleneck: in a {@link NetworkNamespace},
 * loopback limited to {@value #RATE} bytes a second with a queue of {@value #QUEUE} bytes (20 ms at
 * that rate, a common router buffer), one Parley UDP flow with the default congestion controller
 * and one Parley TCP flow (Linux TCP, CUBIC) send as fast as they can, side by side. A controller
 * that read no loss as congestion, or kept twice the path's capacity in flight, would leave TCP
 * next to nothing; Parley must leave it a fair part of the link. Needs root, {@code ip}, {@code tc}
 * and {@code nft}; skipped, saying which is missing, otherwise, except under {@code CI=true}, where
 * a missing one fails the test.
 */
class SharedLinkFairnessTest {

    private static final long RATE = 10_000_000;
    private static final long QUEUE = 200_000;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration MEASURED = Duration.ofSeconds(5);
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);
    /**
     * The least share of the link TCP keeps, which tells a fair part from starvation. Measured here
     * by hand with this rate and queue: TCP kept 54–69 % (35 % with a 1 MB queue); starved (a
     * one-packet queue) it kept 2–4 %. The share in one 5 s window also moves with the phases of
     * both controllers and with the machine's load: a CI run beside two others measured 22 %.
     */
    private static final double LEAST_TCP_SHARE = 0.10;

    @Test
    void aParleyUdpFlowLeavesATcpFlowOnTheSameLinkAFairPart() throws Exception {
        var missing = NetworkNamespace.unavailable();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(missing).as("CI=true needs network namespaces to run").isEmpty();
        }
        assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
        try (var namespace = NetworkNamespace.create("parley-fair")) {
            namespace.limitRate(RATE, QUEUE);

            NetworkNamespace.Outcome run = namespace.execute(RUN_LIMIT, List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    SharedLinkRun.class.getName(), Long.toString(WARM_UP.toMillis()),
                    Long.toString(MEASURED.toMillis()), "tcp", "udp"));

            assertThat(run.code()).as(run.output()).isZero();
            Map<String, Double> rates = rates(run.output());
            double tcp = rates.get("tcp");
            double udp = rates.get("udp");
            // Payload bytes: frame and packet headers and acknowledgements take a part of the link too.
            assertThat(tcp + udp).as("the link is used: %s", run.output()).isGreaterThan(0.7 * RATE);
            assertThat(tcp / (tcp + udp)).as("TCP's share of the link: %s", run.output())
                    .isGreaterThanOrEqualTo(LEAST_TCP_SHARE);
        }
    }

    /** Payload bytes a second by transport, from the run's {@code flow} lines. */
    private static Map<String, Double> rates(String output) {
        Map<String, Double> rates = new HashMap<>();
        Matcher flow = Pattern.compile("(?m)^flow \\d+ (\\S+) (\\d+)$").matcher(output);
        while (flow.find()) {
            rates.put(flow.group(1), Double.parseDouble(flow.group(2)));
        }
        assertThat(rates).as(output).containsOnlyKeys("tcp", "udp");
        return rates;
    }
}
