package dev.parley.bench;

import dev.parley.chaos.NetworkNamespace;
import dev.parley.transport.udp.CongestionControl;
import dev.parley.transport.udp.UdpOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Under loss: TCP and UDP delivery latency and goodput at several loss levels, with the loss
 * where both transports really feel it: an nftables rule dropping a share of every packet inside
 * a {@link NetworkNamespace} this benchmark creates (and always deletes), where {@link LossRun}
 * runs in a child JVM, one per transport and level, so all its traffic stays inside. Without
 * root, {@code ip} or {@code nft} it is skipped, saying why. The loss is turned on once the
 * clients are connected: what is measured is delivery, not handshakes. Each level is measured for a
 * number of rounds, the transports interleaved within each round as in the rest of the suite, and
 * the tables quote the medians: one goodput flood on two busy cores varies by a third from one run
 * to the next, as much as the gaps between the transports. Runs on the calling thread.
 */
final class UnderLoss {

    /**
     * The transports compared, in report order: TCP, then UDP with each congestion controller
     * ({@code udp-newreno}, {@code udp-cubic}, {@code udp-bbr}; see {@link #udpWith}).
     */
    static final List<String> TRANSPORTS = Stream.concat(Stream.of("tcp"),
            Arrays.stream(CongestionControl.values()).map(UnderLoss::udpWith)).toList();

    /** The name {@link LossRun} takes for Parley UDP with {@code controller}. */
    static String udpWith(CongestionControl controller) {
        return "udp-" + controller.name().toLowerCase(Locale.ROOT);
    }

    /** Parley UDP with the default congestion controller, the one the targets are about. */
    static final String DEFAULT_UDP = udpWith(UdpOptions.defaults().congestionControl());

    /**
     * One transport at one loss level.
     *
     * @param lossPercent    share of packets the kernel dropped, each way
     * @param goodputBytesPerSecond payload bytes delivered per second while sending as fast as possible
     */
    record Result(String transport, int lossPercent, int samples, long p50Nanos, long p99Nanos,
                  double goodputBytesPerSecond, long droppedPackets) {
    }

    /**
     * The figures of every round, or why there are none.
     *
     * @param rounds each transport's result at each level in each round, in the order measured
     */
    record Outcome(List<Result> rounds, Optional<String> skipped) {

        /** One result per transport and level, in the order first measured: each figure the median of its rounds. */
        List<Result> results() {
            return rounds.stream().map(r -> at(r.transport(), r.lossPercent()).orElseThrow()).distinct().toList();
        }

        /** The median figures of {@code transport} at {@code lossPercent}, if measured. */
        Optional<Result> at(String transport, int lossPercent) {
            List<Result> measured = roundsOf(transport, lossPercent);
            if (measured.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Result(transport, lossPercent, (int) Medians.of(measured, Result::samples),
                    (long) Medians.of(measured, Result::p50Nanos), (long) Medians.of(measured, Result::p99Nanos),
                    Medians.of(measured, Result::goodputBytesPerSecond),
                    (long) Medians.of(measured, Result::droppedPackets)));
        }

        /** The lowest and highest goodput of {@code transport}'s rounds at {@code lossPercent}, in bytes a second. */
        double[] goodputRange(String transport, int lossPercent) {
            double[] goodputs = roundsOf(transport, lossPercent).stream()
                    .mapToDouble(Result::goodputBytesPerSecond).sorted().toArray();
            return new double[] {goodputs[0], goodputs[goodputs.length - 1]};
        }

        private List<Result> roundsOf(String transport, int lossPercent) {
            return rounds.stream().filter(r -> r.transport().equals(transport) && r.lossPercent() == lossPercent)
                    .toList();
        }
    }

    private UnderLoss() {
    }

    /**
     * Measures each transport at each of {@code lossPercents}, {@code rounds} times: {@code warmUp} of
     * paced messages, then {@code latencyPhase} of them, then bulk until the JIT is quiet
     * ({@link LossRun#bulkWarmUp} at least) and {@code goodputPhase} of it, each time in a fresh JVM.
     */
    static Outcome run(int rounds, List<Integer> lossPercents, Duration warmUp, Duration latencyPhase,
                       Duration goodputPhase, PrintStream progress) throws IOException, InterruptedException {
        Optional<String> missing = NetworkNamespace.unavailable();
        if (missing.isPresent()) {
            progress.println("under loss: skipped, " + missing.get());
            return new Outcome(List.of(), missing);
        }
        List<Result> results = new ArrayList<>();
        try (var namespace = NetworkNamespace.create("parley-bench")) {
            for (int percent : lossPercents) {
                for (int round = 1; round <= rounds; round++) {
                    for (String transport : TRANSPORTS) {
                        String[] f = measure(namespace, percent, transport, warmUp, latencyPhase, goodputPhase);
                        var result = new Result(transport, percent, Integer.parseInt(f[1]), Long.parseLong(f[2]),
                                Long.parseLong(f[3]), Double.parseDouble(f[4]), namespace.droppedPackets());
                        results.add(result);
                        progress.printf("round %d under loss %2d%% %s: delivery p50 %,d µs p99 %,d µs, goodput %,.1f MB/s, "
                                        + "%,d packets dropped%n", round, percent, transport, result.p50Nanos() / 1_000,
                                result.p99Nanos() / 1_000, result.goodputBytesPerSecond() / 1e6, result.droppedPackets());
                    }
                }
            }
        }
        return new Outcome(results, Optional.empty());
    }

    /** Runs {@link LossRun} in the namespace, turning the loss on once its clients are connected. */
    private static String[] measure(NetworkNamespace namespace, int percent, String transport, Duration warmUp,
                                    Duration latencyPhase, Duration goodputPhase) throws IOException, InterruptedException {
        Duration limit = warmUp.plus(LossRun.longestBulkWarmUp(warmUp)).plus(latencyPhase).plus(goodputPhase)
                .plusSeconds(90);
        namespace.dropPerThousand(0);
        try (var child = ChildJvm.start(namespace.inside(List.of()), ChildJvm.ownClassPath(),
                List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), LossRun.class,
                List.of(transport, Long.toString(warmUp.toMillis()), Long.toString(latencyPhase.toMillis()),
                        Long.toString(goodputPhase.toMillis())))) {
            child.await("connected", limit);
            namespace.dropPerThousand(percent * 10);
            child.send("go");
            String[] figures = child.await("loss", limit);
            child.awaitSuccess(limit);
            return figures;
        }
    }
}
