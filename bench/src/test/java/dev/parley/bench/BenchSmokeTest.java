package dev.parley.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every harness for about a second each so none of them can rot; checks the figures are sane.
 * The under-loss harness needs root, {@code ip} and {@code nft}; without them it reports why it
 * skipped, and so does this test, except under {@code CI=true}, where it fails.
 */
class BenchSmokeTest {

    @Test
    void theDurabilityBenchmarkMeasuresBothStoresAndEveryMissedMessageComesBack() throws Exception {
        Suite smoke = Suite.smoke();
        var progress = new ByteArrayOutputStream();

        List<Durability.Row> rows = Durability.run(1, smoke.warmUp(), smoke.measure(),
                new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(rows).extracting(Durability.Row::store).containsExactly("memory", "sqlite");
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.fanOutPerSecond()).isPositive();
            assertThat(row.ackP50Millis()).isPositive().isLessThanOrEqualTo(row.ackP99Millis());
            assertThat(row.resumeMillis()).isPositive();
        });
        // perf counts where it may (root here); the in-memory store never syncs a file.
        assertThat(rows.getFirst().pacedFsyncsPerMessage()).isIn(0.0, Double.NaN);
        assertThat(Durability.markdown(rows)).contains("| sqlite |").contains("SQLite's fan-out is");
    }

    @Test
    void everyHarnessProducesOrderedPercentilesAndPositiveRates(@TempDir Path out) throws Exception {
        var progress = new ByteArrayOutputStream();
        Results results = Suite.smoke().run(new PrintStream(progress, true, StandardCharsets.UTF_8));

        int contenders = Suite.contenders().size() + 1; // and KryoNet, in a JVM of its own
        assertThat(results.contenders()).hasSize(contenders).contains("kryonet");
        assertThat(results.latencies()).allSatisfy(l -> {
            assertThat(l.samples()).isPositive();
            assertThat(l.p50()).isPositive().isLessThanOrEqualTo(l.p99());
            assertThat(l.p99()).isLessThanOrEqualTo(l.p999());
        });
        assertThat(results.throughputs()).hasSize(2 * contenders).allSatisfy(t -> {
            assertThat(t.messages()).isPositive();
            assertThat(t.perSecond()).isPositive();
        });
        assertThat(results.fanOuts()).allSatisfy(f -> assertThat(f.perSecond()).isPositive());
        assertThat(results.codec().parleyBytes()).isPositive().isLessThan(results.codec().javaBytes());
        assertThat(results.codec().parleyNanos()).isPositive();
        assertThat(results.codec().stampNanos()).isPositive();
        assertThat(results.headline()).contains("Parley TCP round-trip p50");
        assertThat(results.scale()).extracting(Scale.Result::transport).containsExactly("tcp", "udp");
        assertThat(results.scale()).allSatisfy(s -> {
            assertThat(s.clients()).isEqualTo(Suite.smoke().scaleClients());
            assertThat(s.heapBytesPerClient()).isPositive();
            assertThat(s.connectNanos()).isPositive();
        });
        assertThat(results.headline()).contains("Server heap per idle tcp connection");
        if ("true".equals(System.getenv("CI"))) {
            assertThat(results.loss().skipped()).as("CI=true needs network namespaces for the under-loss benchmark")
                    .isEmpty();
        }
        if (results.loss().skipped().isEmpty()) {
            assertThat(results.loss().results()).hasSize(UnderLoss.TRANSPORTS.size()).allSatisfy(r -> {
                assertThat(r.samples()).isPositive();
                assertThat(r.p50Nanos()).isPositive().isLessThanOrEqualTo(r.p99Nanos());
                assertThat(r.goodputBytesPerSecond()).isPositive();
                assertThat(r.droppedPackets()).as("the kernel dropped %s packets", r.transport()).isPositive();
            });
            assertThat(results.headline()).contains("UDP p99 delivery / TCP p99 at 5% loss")
                    .contains("UDP goodput / TCP goodput at 5% loss");
        } else {
            assertThat(results.markdown()).contains("Skipped: needs");
        }

        BenchCommand.write(results, out);
        assertThat(out.resolve("latency.png")).isNotEmptyFile();
        assertThat(out.resolve("throughput.png")).isNotEmptyFile();
        assertThat(out.resolve("results.md")).content().contains("| raw-socket |").contains("### Scale");
        if (results.loss().skipped().isEmpty()) {
            assertThat(out.resolve("loss.png")).isNotEmptyFile();
            assertThat(out.resolve("loss-goodput.png")).isNotEmptyFile();
        }
    }
}
