package dev.parley.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.time.Duration;
import java.util.Collection;

/**
 * The codec benchmark's figures: JMH's average time per encode+decode of each codec, and the
 * bytes each puts on the wire for the same message; and Parley's time for a {@link Stamp} with a
 * 1 KiB payload ({@code stampNanos}).
 */
record CodecFigures(double parleyNanos, double javaNanos, int parleyBytes, int javaBytes, double stampNanos) {

    /**
     * Runs {@link CodecBenchmark} through JMH in this JVM (no fork, so it also runs from the
     * {@code parley} jar and in tests), with {@code iterations} measured iterations of
     * {@code iteration} each after one of warm-up.
     */
    static CodecFigures measure(int iterations, Duration iteration) throws Exception {
        var options = new OptionsBuilder()
                .include(CodecBenchmark.class.getName())
                .forks(0)
                .threads(1)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(iteration.toMillis()))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.milliseconds(iteration.toMillis()))
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        var sizes = new CodecBenchmark();
        return new CodecFigures(score(results, "parleyCodec"), score(results, "javaSerialization"),
                sizes.parleyBytes(), sizes.javaBytes(), score(results, "parleyCodecStamp"));
    }

    private static double score(Collection<RunResult> results, String method) {
        return results.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + method))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("JMH produced no result for " + method))
                .getPrimaryResult()
                .getScore();
    }
}
