package dev.parley.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs every benchmark for a number of rounds, the contenders interleaved within each round so
 * that a noisy stretch of the machine hits them alike, and collects the per-round figures. Runs
 * on the calling thread and prints one progress line per measurement.
 *
 * @param rounds       how many times each contender is measured; the results quote medians
 * @param warmUp       warm-up before each timed phase
 * @param measure      length of each timed phase
 * @param codecRounds  JMH measurement iterations of the codec benchmark
 * @param scaleClients idle clients of the scale benchmark, per transport
 * @param lossPercents loss levels of the under-loss benchmark
 */
record Suite(int rounds, Duration warmUp, Duration measure, int codecRounds, int scaleClients,
             List<Integer> lossPercents) {

    /** The {@code --only} name of the scale benchmark. */
    static final String SCALE = "scale";
    /** The {@code --only} name of the under-loss benchmark. */
    static final String LOSS = "loss";
    /** The {@code --only} name of the store benchmark (memory, SQLite, Redis with 1 to 3 nodes). */
    static final String STORES = "stores";
    /** The {@code --only} name of the durability benchmark (the IM server with the in-memory store and with SQLite). */
    static final String DURABILITY = "durability";

    /** Clients of the concurrent throughput benchmark. */
    static final int MANY_CLIENTS = 16;

    /** About a second of work per harness: what the smoke test runs. */
    static Suite smoke() {
        return new Suite(1, Duration.ofMillis(50), Duration.ofMillis(200), 1, 50, List.of(5));
    }

    /** {@code parley bench --quick}: one round, well under two minutes. */
    static Suite quick() {
        return new Suite(1, Duration.ofMillis(500), Duration.ofSeconds(1), 3, 1_000, List.of(5));
    }

    /** {@code parley bench}: three rounds of three seconds per figure. */
    static Suite full() {
        return new Suite(3, Duration.ofSeconds(1), Duration.ofSeconds(3), 5, 10_000, List.of(0, 1, 5, 10));
    }

    /** Every contender, the floor first; each call makes fresh, unstarted ones (which hold nothing yet). */
    static List<Supplier<Contender>> contenders() {
        return List.of(
                RawSocketContender::new,
                () -> ParleyContender.messages("tcp"),
                ParleyContender::messagesOverTcpWithVirtualReaders,
                () -> ParleyContender.messages("udp"),
                () -> ParleyContender.remoteCalls("tcp"),
                () -> ParleyContender.remoteCalls("udp"),
                RmiContender::new,
                GrpcContender::new,
                AeronContender::new);
    }

    /**
     * Measures only the contender called {@code name}, {@link #rounds} times, printing the figures:
     * for profiling one system (for example under JFR) without the others in the recording. The
     * names {@value #SCALE}, {@value #LOSS}, {@value #STORES} and {@value #DURABILITY} run those benchmarks alone
     * and print their tables.
     *
     * @throws IllegalArgumentException if no contender has that name
     */
    void runOne(String name, PrintStream progress) throws Exception {
        if (name.equals(SCALE)) {
            progress.println(Results.scaleMarkdown(scale(progress)));
            return;
        }
        if (name.equals(LOSS)) {
            progress.println(Results.lossMarkdown(underLoss(progress)));
            return;
        }
        if (name.equals(STORES)) {
            progress.println(Stores.markdown(Stores.run(warmUp, measure, progress)));
            progress.println(CrossNode.markdown(CrossNode.run(warmUp, measure, progress)));
            return;
        }
        if (name.equals(DURABILITY)) {
            progress.println(Durability.markdown(Durability.run(rounds, warmUp, measure, progress)));
            return;
        }
        Supplier<Contender> make = contenders().stream()
                .filter(candidate -> candidate.get().name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no contender named " + name));
        var harness = new Harness(warmUp, measure);
        for (int round = 1; round <= rounds; round++) {
            measure(round, make, harness, new ArrayList<>(), new ArrayList<>(), progress);
        }
    }

    /** Runs every benchmark {@link #rounds} times. */
    Results run(PrintStream progress) throws Exception {
        var harness = new Harness(warmUp, measure);
        List<Latency> latencies = new ArrayList<>();
        List<Throughput> throughputs = new ArrayList<>();
        List<FanOut.Result> fanOuts = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Supplier<Contender> make : contenders()) {
                measure(round, make, harness, latencies, throughputs, progress);
            }
            int before = throughputs.size();
            KryoNetProcess.measure(warmUp, measure, latencies, throughputs);
            progress.printf("round %d kryonet (own JVM)  round trip p50 %,d ns; 1 client %,.0f msg/s; %d clients %,.0f msg/s%n",
                    round, latencies.getLast().p50(), throughputs.get(before).perSecond(), MANY_CLIENTS,
                    throughputs.getLast().perSecond());
            for (String transport : List.of("tcp", "udp")) {
                FanOut.Result fanOut = FanOut.run(transport, warmUp, measure);
                fanOuts.add(fanOut);
                progress.printf("round %d fan-out %s: %,.0f deliveries/s, %.0f B allocated/delivery%n",
                        round, transport, fanOut.perSecond(), fanOut.bytesPerDelivery());
            }
        }
        CodecFigures codec = CodecFigures.measure(codecRounds, measure);
        progress.printf("codec: parley %.0f ns (%d B), java serialization %.0f ns (%d B); parley, a 1 KiB stamp %.0f ns%n",
                codec.parleyNanos(), codec.parleyBytes(), codec.javaNanos(), codec.javaBytes(), codec.stampNanos());
        return new Results(this, latencies, throughputs, fanOuts, codec, scale(progress), underLoss(progress));
    }

    /** {@link #scaleClients} idle clients on one server, over each transport. */
    List<Scale.Result> scale(PrintStream progress) throws Exception {
        List<Scale.Result> results = new ArrayList<>();
        for (String transport : List.of("tcp", "udp")) {
            Scale.Result result = Scale.run(transport, scaleClients, progress);
            results.add(result);
            progress.printf("scale %s: %,.0f B heap, %,.0f B resident per idle connection%n", transport,
                    result.heapBytesPerClient(), result.residentBytesPerClient());
        }
        return results;
    }

    /**
     * Both transports at each of {@link #lossPercents}, {@link #rounds} times: latency over three
     * timed phases' length (about a thousand samples a second), goodput over one.
     */
    UnderLoss.Outcome underLoss(PrintStream progress) throws Exception {
        return UnderLoss.run(rounds, lossPercents, warmUp, measure.multipliedBy(3), measure, progress);
    }

    private static void measure(int round, Supplier<Contender> make, Harness harness, List<Latency> latencies,
                                List<Throughput> throughputs, PrintStream progress) throws Exception {
        try (Contender contender = make.get()) {
            contender.start();
            Latency latency = harness.latency(contender);
            latencies.add(latency);
            progress.printf("round %d %-19s round trip p50 %,d ns p99 %,d ns p99.9 %,d ns%n",
                    round, contender.name(), latency.p50(), latency.p99(), latency.p999());
            for (int clients : new int[] {1, MANY_CLIENTS}) {
                Throughput throughput = harness.throughput(contender, clients);
                throughputs.add(throughput);
                PerMessage counts = throughput.perMessage();
                progress.printf("round %d %-19s %2d clients %,.0f msg/s, %,.0f ns CPU/msg, %.3f wake-ups/msg, %,.0f B/msg, "
                                + "%.3f syscalls/msg%n", round, contender.name(), clients, throughput.perSecond(),
                        throughput.cpuNanosPerMessage(), counts.wakeUps(), counts.allocatedBytes(), counts.syscalls());
            }
        }
    }
}
