package dev.parley.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The figures of one {@link Suite} run, reduced to medians over rounds, as Markdown tables and as
 * the headline ratios the issue sets targets for. Immutable.
 */
record Results(Suite suite, List<Latency> latencies, List<Throughput> throughputs, List<FanOut.Result> fanOuts,
               CodecFigures codec, List<Scale.Result> scale, UnderLoss.Outcome loss) {

    private static final String FLOOR = "raw-socket";
    private static final String PARLEY_TCP = "parley-tcp";
    private static final String PARLEY_UDP = "parley-udp";
    private static final String PARLEY_RPC_TCP = "parley-rpc-tcp";
    private static final String AERON = "aeron-udp";
    private static final List<String> PEERS = List.of("kryonet", "java-rmi", "grpc-java");
    /** The ceiling on server heap per idle connection. */
    private static final double MAX_HEAP_KIB_PER_CONNECTION = 64;
    /** The loss level at which the issue compares UDP's p99 delivery latency with TCP's. */
    private static final int TARGET_LOSS_PERCENT = 5;
    private static final double MAX_UDP_TO_TCP_P99 = 0.25;
    /** The goodput targets: Parley UDP against TCP at 0 % loss, then at every loss level measured. */
    private static final double MIN_UDP_TO_TCP_GOODPUT_LOSSLESS = 0.9;
    private static final double MIN_UDP_TO_TCP_GOODPUT_UNDER_LOSS = 1.0;

    /** One headline figure against its target. */
    record Target(String what, double ratio, String goal, boolean met) {
    }

    /** Median round-trip figure of one contender, in nanoseconds. */
    double latency(String contender, ToDoubleFunction<Latency> figure) {
        return Medians.of(latencies.stream().filter(l -> l.contender().equals(contender)).toList(), figure);
    }

    /** Median throughput figure of one contender with {@code clients} clients. */
    double throughput(String contender, int clients, ToDoubleFunction<Throughput> figure) {
        return Medians.of(throughputs.stream()
                .filter(t -> t.contender().equals(contender) && t.clients() == clients).toList(), figure);
    }

    /** Median fan-out figure over one transport. */
    double fanOut(String transport, ToDoubleFunction<FanOut.Result> figure) {
        return Medians.of(fanOuts.stream().filter(f -> f.transport().equals(transport)).toList(), figure);
    }

    /** The contenders in the order they ran, the floor first. */
    List<String> contenders() {
        return latencies.stream().map(Latency::contender).distinct().toList();
    }

    /** The targets that this run can check, each with its measured ratio. */
    List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        double p50 = latency(PARLEY_TCP, Latency::p50) / latency(FLOOR, Latency::p50);
        targets.add(new Target("Parley TCP round-trip p50 / raw floor p50", p50, "≤ 1.1", p50 <= 1.1));
        double bestPeer = PEERS.stream().mapToDouble(p -> latency(p, Latency::p999)).min().orElseThrow();
        double tail = latency(PARLEY_TCP, Latency::p999) / bestPeer;
        targets.add(new Target("Parley TCP round-trip p99.9 / best peer's p99.9", tail, "≤ 1.0", tail <= 1.0));
        double tcp = throughput(PARLEY_TCP, 1, Throughput::perSecond);
        double pipelined = tcp / throughput(FLOOR, 1, Throughput::perSecond);
        targets.add(new Target("Parley TCP pipelined msg/s / raw floor", pipelined, "≥ 0.66", pipelined >= 0.66));
        double kryoNet = tcp / throughput("kryonet", 1, Throughput::perSecond);
        targets.add(new Target("Parley TCP pipelined msg/s / KryoNet's", kryoNet, "≥ 3", kryoNet >= 3));
        double udp = throughput(PARLEY_UDP, 1, Throughput::perSecond) / tcp;
        targets.add(new Target("Parley UDP pipelined msg/s / Parley TCP", udp, "≥ 0.5", udp >= 0.5));
        double cpu = throughput(PARLEY_TCP, Suite.MANY_CLIENTS, Throughput::cpuNanosPerMessage)
                / throughput(FLOOR, Suite.MANY_CLIENTS, Throughput::cpuNanosPerMessage);
        targets.add(new Target("Parley TCP CPU/msg, 16 clients / raw floor", cpu, "≤ 2", cpu <= 2));
        double fanOut = fanOut("tcp", FanOut.Result::perSecond) / 1e6;
        targets.add(new Target("IM fan-out over TCP, million deliveries/s", fanOut, "≥ 1", fanOut >= 1));
        for (Scale.Result s : scale) {
            double kib = s.heapBytesPerClient() / 1024;
            targets.add(new Target(String.format(Locale.ROOT, "Server heap per idle %s connection (%,d), KiB",
                    s.transport(), s.clients()), kib, "≤ 64", kib <= MAX_HEAP_KIB_PER_CONNECTION));
        }
        targets.addAll(scalingTargets());
        var tcpAtTarget = loss.at("tcp", TARGET_LOSS_PERCENT);
        var udpAtTarget = loss.at(UnderLoss.DEFAULT_UDP, TARGET_LOSS_PERCENT);
        if (tcpAtTarget.isPresent() && udpAtTarget.isPresent()) {
            double ratio = (double) udpAtTarget.get().p99Nanos() / tcpAtTarget.get().p99Nanos();
            targets.add(new Target("UDP p99 delivery / TCP p99 at " + TARGET_LOSS_PERCENT + "% loss", ratio,
                    "≤ " + MAX_UDP_TO_TCP_P99, ratio <= MAX_UDP_TO_TCP_P99));
        }
        targets.addAll(goodputTargets(loss));
        return targets;
    }

    /**
     * The targets of scaling with cores (issue 15), which only a many-core machine can meet: how
     * 16 clients compare with one, with Aeron, and remote calls with plain messages; and the
     * round trip against the best of Java RMI and KryoNet.
     */
    private List<Target> scalingTargets() {
        List<Target> targets = new ArrayList<>();
        int many = Suite.MANY_CLIENTS;
        double tcpScaling = throughput(PARLEY_TCP, many, Throughput::perSecond) / throughput(PARLEY_TCP, 1, Throughput::perSecond);
        targets.add(new Target("Parley TCP msg/s, 16 clients / 1 client", tcpScaling, "≥ 8 (16 cores)", tcpScaling >= 8));
        double udpScaling = throughput(PARLEY_UDP, many, Throughput::perSecond) / throughput(PARLEY_UDP, 1, Throughput::perSecond);
        targets.add(new Target("Parley UDP msg/s, 16 clients / 1 client", udpScaling, "≥ 6 (16 cores)", udpScaling >= 6));
        double aeron = throughput(AERON, many, Throughput::perSecond);
        for (String parley : List.of(PARLEY_TCP, PARLEY_UDP)) {
            double ratio = throughput(parley, many, Throughput::perSecond) / aeron;
            targets.add(new Target(parley + " msg/s, 16 clients / Aeron's", ratio, "≥ 3 (16 cores)", ratio >= 3));
        }
        double bestRoundTrip = List.of("java-rmi", "kryonet").stream()
                .mapToDouble(p -> latency(p, Latency::p50)).min().orElseThrow();
        double roundTrip = latency(PARLEY_TCP, Latency::p50) / bestRoundTrip;
        targets.add(new Target("Parley TCP round-trip p50 / best of Java RMI and KryoNet", roundTrip, "≤ 1.0",
                roundTrip <= 1.0));
        double calls = throughput(PARLEY_RPC_TCP, many, Throughput::perSecond) / throughput(PARLEY_TCP, many, Throughput::perSecond);
        targets.add(new Target("Parley remote calls/s / messages/s, 16 clients, TCP", calls, "≥ 0.5", calls >= 0.5));
        return targets;
    }

    /** The headline ratios, one line each: what {@code parley bench} prints last. */
    String headline() {
        return targets().stream()
                .map(t -> String.format(Locale.ROOT, "%-58s %7.2f  (target %s) %s",
                        t.what(), t.ratio(), t.goal(), t.met() ? "met" : "MISSED"))
                .collect(Collectors.joining("\n"));
    }

    /** Every table of medians and ratios, in Markdown. */
    String markdown() {
        var out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Medians over %d round(s); each timed phase %d ms after %d ms of warm-up.%n%n",
                suite.rounds(), suite.measure().toMillis(), suite.warmUp().toMillis()));
        out.append("### Targets\n\n| figure | measured | target | |\n|---|---:|---|---|\n");
        for (Target t : targets()) {
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s |%n", t.what(), t.ratio(), t.goal(),
                    t.met() ? "met" : "**missed**"));
        }
        double floorP50 = latency(FLOOR, Latency::p50);
        double floorP999 = latency(FLOOR, Latency::p999);
        out.append("\n### Round trip, one client, one call outstanding, 32-byte payload (µs)\n\n")
                .append("| contender | p50 | p99 | p99.9 | p50 ÷ floor | p99.9 ÷ floor |\n|---|---:|---:|---:|---:|---:|\n");
        for (String c : contenders()) {
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.2f | %.2f |%n", c,
                    latency(c, Latency::p50) / 1e3, latency(c, Latency::p99) / 1e3, latency(c, Latency::p999) / 1e3,
                    latency(c, Latency::p50) / floorP50, latency(c, Latency::p999) / floorP999));
        }
        double floorOne = throughput(FLOOR, 1, Throughput::perSecond);
        double floorMany = throughput(FLOOR, Suite.MANY_CLIENTS, Throughput::perSecond);
        double floorCpu = throughput(FLOOR, Suite.MANY_CLIENTS, Throughput::cpuNanosPerMessage);
        out.append("\n### Pipelined throughput, 32-byte messages (messages/s; CPU of the whole process per message)\n\n")
                .append("| contender | 1 client | ÷ floor | 16 clients | ÷ floor | CPU ns/msg (16) | ÷ floor |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (String c : contenders()) {
            double one = throughput(c, 1, Throughput::perSecond);
            double many = throughput(c, Suite.MANY_CLIENTS, Throughput::perSecond);
            double cpu = throughput(c, Suite.MANY_CLIENTS, Throughput::cpuNanosPerMessage);
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %,.0f | %.2f | %,.0f | %.2f |%n",
                    c, one, one / floorOne, many, many / floorMany, cpu, cpu / floorCpu));
        }
        out.append('\n').append(perMessageMarkdown());
        out.append(String.format(Locale.ROOT, "%n### IM fan-out, %d members, one sender%n%n", FanOut.MEMBERS))
                .append("| transport | deliveries/s | bytes allocated per delivery (whole JVM) |\n|---|---:|---:|\n");
        for (String t : fanOuts.stream().map(FanOut.Result::transport).distinct().toList()) {
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.0f |%n", t,
                    fanOut(t, FanOut.Result::perSecond), fanOut(t, FanOut.Result::bytesPerDelivery)));
        }
        out.append("\n### Codec: encode + decode of an IM `Message` (JMH, average time)\n\n")
                .append("| codec | ns per encode+decode | bytes per message |\n|---|---:|---:|\n")
                .append(String.format(Locale.ROOT, "| Parley (Kryo) | %.0f | %d |%n| Java serialization | %.0f | %d |%n",
                        codec.parleyNanos(), codec.parleyBytes(), codec.javaNanos(), codec.javaBytes()))
                .append(String.format(Locale.ROOT, "| ratio Java ÷ Parley | %.1f | %.1f |%n",
                        codec.javaNanos() / codec.parleyNanos(), (double) codec.javaBytes() / codec.parleyBytes()))
                .append(String.format(Locale.ROOT, "%nParley, a `Stamp` (a long and %d bytes, what the goodput flood under loss sends): %.0f ns.%n",
                        CodecBenchmark.STAMP.payload().length, codec.stampNanos()));
        out.append('\n').append(scaleMarkdown(scale)).append('\n').append(lossMarkdown(loss));
        return out.toString();
    }

    /**
     * The counted costs of a pipelined message, per contender, with 1 and with 16 clients: what a
     * 2-core machine shows of the hand-offs that become contention on many cores.
     */
    String perMessageMarkdown() {
        var out = new StringBuilder("### Per pipelined message: wake-ups, allocations, system calls (whole process, counted)\n\n")
                .append("Wake-ups: context switches of every thread (`/proc/self/task/*/status`); allocated: "
                        + "`ThreadMXBean.getTotalThreadAllocatedBytes`; system calls: `perf stat -e raw_syscalls:sys_enter` "
                        + "(n/a where `perf` may not trace). Client and server together.\n\n")
                .append("| contender | wake-ups (1) | wake-ups (16) | bytes allocated (1) | bytes allocated (16) "
                        + "| syscalls (1) | syscalls (16) | threads ended meanwhile |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String c : contenders()) {
            int exited = throughputs.stream().filter(t -> t.contender().equals(c))
                    .mapToInt(t -> t.perMessage().threadsExited()).max().orElse(0);
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d |%n", c,
                    count(c, 1, PerMessage::wakeUps, "%.3f"), count(c, Suite.MANY_CLIENTS, PerMessage::wakeUps, "%.3f"),
                    count(c, 1, PerMessage::allocatedBytes, "%,.0f"),
                    count(c, Suite.MANY_CLIENTS, PerMessage::allocatedBytes, "%,.0f"),
                    count(c, 1, PerMessage::syscalls, "%.3f"), count(c, Suite.MANY_CLIENTS, PerMessage::syscalls, "%.3f"),
                    exited));
        }
        return out.toString();
    }

    private String count(String contender, int clients, ToDoubleFunction<PerMessage> figure, String format) {
        double value = throughput(contender, clients, t -> figure.applyAsDouble(t.perMessage()));
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    /** The scale table in Markdown. */
    static String scaleMarkdown(List<Scale.Result> scale) {
        var out = new StringBuilder("### Scale: idle registered clients on one IM server (server in its own JVM)\n\n")
                .append("| transport | clients | heap per connection (after GC), idle | resident per connection, idle"
                        + " | heap per connection just registered | time to connect and register all |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (Scale.Result s : scale) {
            out.append(String.format(Locale.ROOT, "| %s | %,d | %.1f KiB | %.1f KiB | %.1f KiB | %.2f s |%n",
                    s.transport(), s.clients(), s.heapBytesPerClient() / 1024, s.residentBytesPerClient() / 1024,
                    s.registeredHeapBytesPerClient() / 1024, s.connectNanos() / 1e9));
        }
        return out.toString();
    }

    /** Goodput of Parley UDP with its default controller against TCP's, at each loss level measured. */
    static List<Target> goodputTargets(UnderLoss.Outcome loss) {
        List<Target> targets = new ArrayList<>();
        for (int percent : loss.results().stream().map(UnderLoss.Result::lossPercent).distinct().toList()) {
            var tcp = loss.at("tcp", percent);
            var udp = loss.at(UnderLoss.DEFAULT_UDP, percent);
            if (tcp.isPresent() && udp.isPresent()) {
                double ratio = udp.get().goodputBytesPerSecond() / tcp.get().goodputBytesPerSecond();
                double min = percent == 0 ? MIN_UDP_TO_TCP_GOODPUT_LOSSLESS : MIN_UDP_TO_TCP_GOODPUT_UNDER_LOSS;
                targets.add(new Target("UDP goodput / TCP goodput at " + percent + "% loss", ratio, "≥ " + min,
                        ratio >= min));
            }
        }
        return targets;
    }

    /** The under-loss table in Markdown, or why it was skipped. */
    static String lossMarkdown(UnderLoss.Outcome loss) {
        var out = new StringBuilder("### Under loss: nftables random drop in a network namespace; delivery of 32-byte "
                + "messages from " + LossRun.CLIENTS + " clients, each sending one every " + LossRun.CLIENTS * LossRun.PERIOD_MICROS / 1000
                + " ms in turn; goodput of one client sending " + LossRun.BULK_BYTES + "-byte messages flat out\n\n");
        if (loss.skipped().isPresent()) {
            return out.append("Skipped: ").append(loss.skipped().get()).append(".\n").toString();
        }
        out.append("UDP with each congestion controller; `" + UnderLoss.DEFAULT_UDP + "` is the default. Each figure is "
                + "the median of " + loss.rounds().size() / loss.results().size() + " rounds, the transports "
                + "interleaved in each; *goodput range* is the lowest and highest round.\n\n");
        out.append("| loss | transport | delivery p50 | delivery p99 | samples | goodput | goodput range | packets dropped "
                        + "| p99 UDP ÷ TCP | goodput UDP ÷ TCP |\n")
                .append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (UnderLoss.Result r : loss.results()) {
            double[] range = loss.goodputRange(r.transport(), r.lossPercent());
            var tcp = r.transport().equals("tcp") ? Optional.<UnderLoss.Result>empty() : loss.at("tcp", r.lossPercent());
            String p99Ratio = tcp.map(t -> String.format(Locale.ROOT, "%.2f", (double) r.p99Nanos() / t.p99Nanos()))
                    .orElse("");
            String goodputRatio = tcp.map(t -> String.format(Locale.ROOT, "%.2f",
                    r.goodputBytesPerSecond() / t.goodputBytesPerSecond())).orElse("");
            out.append(String.format(Locale.ROOT, "| %d%% | %s | %.2f ms | %.2f ms | %,d | %.1f MB/s | %.0f–%.0f | %,d | %s | %s |%n",
                    r.lossPercent(), r.transport(), r.p50Nanos() / 1e6, r.p99Nanos() / 1e6, r.samples(),
                    r.goodputBytesPerSecond() / 1e6, range[0] / 1e6, range[1] / 1e6, r.droppedPackets(), p99Ratio,
                    goodputRatio));
        }
        return out.toString();
    }

    /** Delivery p99 in milliseconds per loss level, one bar per transport, for the plot. */
    Map<String, double[]> lossBars() {
        return lossBars(r -> r.p99Nanos() / 1e6);
    }

    /** Goodput in MB/s per loss level, one bar per transport, for the plot. */
    Map<String, double[]> lossGoodputBars() {
        return lossBars(r -> r.goodputBytesPerSecond() / 1e6);
    }

    private Map<String, double[]> lossBars(ToDoubleFunction<UnderLoss.Result> figure) {
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (int percent : loss.results().stream().map(UnderLoss.Result::lossPercent).distinct().toList()) {
            bars.put(percent + "% loss", UnderLoss.TRANSPORTS.stream()
                    .mapToDouble(t -> loss.at(t, percent).map(figure::applyAsDouble).orElse(0.0)).toArray());
        }
        return bars;
    }

    /** Median p50 and p99.9 per contender, in microseconds, for the plots. */
    Map<String, double[]> latencyBars() {
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (String c : contenders()) {
            bars.put(c, new double[] {latency(c, Latency::p50) / 1e3, latency(c, Latency::p999) / 1e3});
        }
        return bars;
    }

    /** Median messages/s per contender with 1 and with 16 clients, for the plots. */
    Map<String, double[]> throughputBars() {
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (String c : contenders()) {
            bars.put(c, new double[] {throughput(c, 1, Throughput::perSecond),
                    throughput(c, Suite.MANY_CLIENTS, Throughput::perSecond)});
        }
        return bars;
    }
}
