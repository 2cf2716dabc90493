package dev.parley.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs every harness for about a second each so none of them can rot; checks the figures are sane. */
class BenchSmokeTest {

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
        assertThat(results.headline()).contains("Parley TCP round-trip p50");

        BenchCommand.write(results, out);
        assertThat(out.resolve("latency.png")).isNotEmptyFile();
        assertThat(out.resolve("throughput.png")).isNotEmptyFile();
        assertThat(out.resolve("results.md")).content().contains("| raw-socket |");
    }
}
