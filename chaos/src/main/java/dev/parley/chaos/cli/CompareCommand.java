package dev.parley.chaos.cli;

import dev.parley.chaos.ChaosOptions;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.ChaosServer;
import dev.parley.chaos.ConversationWorkload;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code parley compare}: runs one IM conversation over TCP and over UDP, each through the chaos
 * proxy with the faults asked for, and prints a table of what arrived, how fast, and the history
 * checker's verdict. Runs on the calling thread (the workload starts a virtual thread per sender).
 *
 * <p>Loss, duplication and reordering are datagram faults: a proxy terminates TCP, so TCP never
 * sees them there, and the table says so rather than pretend.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Run the same IM conversation over TCP and UDP through the chaos proxy and compare them.",
                "Loss, duplication and reordering apply to UDP only: a proxy that terminates TCP hides packet loss "
                        + "from TCP (the chaos module's nftables test drops real TCP packets)."})
final class CompareCommand implements Callable<Integer> {

    private static final int OK = 0;
    private static final int INVALID = 1;
    private static final String NOT_FOR_TCP = "n/a over TCP: a terminating proxy hides packet faults from TCP";

    @Spec
    private CommandSpec spec;

    @Option(names = "--loss", defaultValue = "0", converter = Probability.class,
            description = "share of datagrams dropped each way, 0.1 or 10%% (UDP only; default: ${DEFAULT-VALUE})")
    private double loss;

    @Option(names = "--latency", defaultValue = "0", description = "delay each way, ms (default: ${DEFAULT-VALUE})")
    private long latency;

    @Option(names = "--jitter", defaultValue = "0", description = "uniform ± jitter on the delay, ms (default: ${DEFAULT-VALUE})")
    private long jitter;

    @Option(names = "--duplicate", defaultValue = "0", converter = Probability.class,
            description = "share of datagrams sent twice (UDP only; default: ${DEFAULT-VALUE})")
    private double duplicate;

    @Option(names = "--reorder", defaultValue = "0", converter = Probability.class,
            description = "share of datagrams held back 20 ms so that later ones overtake them (UDP only; default: ${DEFAULT-VALUE})")
    private double reorder;

    @Option(names = "--clients", defaultValue = "4", description = "users in the conversation (default: ${DEFAULT-VALUE})")
    private int clients;

    @Option(names = "--messages", defaultValue = "100", description = "messages each user posts (default: ${DEFAULT-VALUE})")
    private int messages;

    @Option(names = "--seed", description = "seed of the proxy's random choices (default: a fresh one, printed)")
    private Long seed;

    @Option(names = "--deadline", defaultValue = "60", description = "seconds each run may take (default: ${DEFAULT-VALUE})")
    private long deadlineSeconds;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        ChaosOptions options = seed != null ? ChaosOptions.defaults().withSeed(seed) : ChaosOptions.defaults();
        var workload = new ConversationWorkload(clients, messages, 64, Duration.ofSeconds(deadlineSeconds));
        out.printf("%d users, %d messages each, latency %d ms ± %d, loss %s, duplicate %s, reorder %s; seed %d%n",
                clients, messages, latency, jitter, percent(loss), percent(duplicate), percent(reorder), options.seed());
        String format = "%-5s %-10s %-8s %-8s %-8s %-11s %-15s %s%n";
        out.printf(format, "", "delivered", "p50 ms", "p99 ms", "max ms", "goodput", "retransmissions", "verdict");
        boolean allValid = true;
        for (String name : List.of("tcp", "udp")) {
            if (!Transport.names().contains(name)) {
                out.printf(format, name, "-", "-", "-", "-", "-", "-", "not available: no " + name + " transport in this build");
                continue;
            }
            try {
                var result = run(name, workload, options);
                var latencies = result.latenciesNanos().stream().sorted().toList();
                double seconds = Math.max(1e-9, result.elapsed().toNanos() / 1e9);
                out.printf(format, name,
                        result.verdict().delivered() + "/" + result.verdict().deliveries(),
                        millis(percentile(latencies, 0.50)), millis(percentile(latencies, 0.99)),
                        millis(latencies.isEmpty() ? -1 : latencies.getLast()),
                        String.format(Locale.ROOT, "%.1f KB/s", result.payloadBytes() / 1024.0 / seconds),
                        result.retransmissions() < 0 ? "n/a (kernel)" : Long.toString(result.retransmissions()),
                        result.verdict());
                allValid &= result.verdict().isValid();
            } catch (IOException e) {
                out.printf(format, name, "-", "-", "-", "-", "-", "-", "FAILED: " + e.getMessage());
                allValid = false;
            }
        }
        if (loss > 0 || duplicate > 0 || reorder > 0) {
            out.println("loss, duplicate and reorder: " + NOT_FOR_TCP + "; TCP had latency and jitter only.");
        }
        out.flush();
        return allValid ? OK : INVALID;
    }

    private ConversationWorkload.Result run(String name, ConversationWorkload workload, ChaosOptions options)
            throws IOException, InterruptedException {
        Transport transport = Transport.byName(name);
        Protocol protocol = Protocol.fromWireName(name);
        // No rate limit: the workload is the measurement, and a limit would shape it.
        try (ImServer server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().messagesPerSecond(0).build());
             ChaosServer chaos = ChaosServer.start(options)) {
            ChaosProxy proxy = chaos.createProxy("compare-" + name, protocol, (InetSocketAddress) server.localAddress());
            for (Direction direction : Direction.values()) {
                if (latency > 0 || jitter > 0) {
                    proxy.add(Toxic.of(ToxicType.LATENCY, direction).with("latency", latency).with("jitter", jitter));
                }
                if (protocol == Protocol.UDP) {
                    addIfAny(proxy, ToxicType.LOSS, direction, loss);
                    addIfAny(proxy, ToxicType.DUPLICATE, direction, duplicate);
                    if (reorder > 0) {
                        proxy.add(Toxic.of(ToxicType.REORDER, direction).with("probability", reorder).with("delay", 20));
                    }
                }
            }
            return workload.run(transport, proxy.listenAddress(), name + "user");
        }
    }

    private static void addIfAny(ChaosProxy proxy, ToxicType type, Direction direction, double probability) {
        if (probability > 0) {
            proxy.add(Toxic.of(type, direction).with("probability", probability));
        }
    }

    private static long percentile(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1));
    }

    private static String millis(long nanos) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.1f", nanos / (double) TimeUnit.MILLISECONDS.toNanos(1));
    }

    private static String percent(double probability) {
        return String.format(Locale.ROOT, "%.1f%%", probability * 100);
    }
}
