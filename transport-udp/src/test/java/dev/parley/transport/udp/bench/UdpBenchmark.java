package dev.parley.transport.udp.bench;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import dev.parley.transport.udp.UdpTransport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures, on loopback without loss, for every transport given as an argument (default: udp, udp
 * with 1200-byte packets as on a real path, and tcp when it is on the class path; {@code udp:N}
 * means UDP with N-byte packets everywhere): small-frame throughput over one connection, and the
 * time to deliver one 1 MiB frame. Prints one line per figure. Run with the command in the module README.
 * Single-threaded driver; the transports use their own threads.
 */
public final class UdpBenchmark {

    private static final int SMALL_FRAME = 64;
    private static final int SMALL_FRAMES = 1_000_000;
    private static final int BIG_FRAME = 1 << 20;
    private static final int BIG_ROUNDS = 30;
    private static final int SMALL_ROUNDS = 5;

    private UdpBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> names = args.length > 0 ? List.of(args) : defaultTransports();
        Map<String, Transport> transports = new LinkedHashMap<>();
        for (String name : names) {
            transports.put(name, name.startsWith("udp:") ? udpWithPacketSize(Integer.parseInt(name.substring(4)))
                    : Transport.byName(name, TransportOptions.defaults()));
        }
        // Every transport is warmed up before any is measured, and the measured rounds alternate
        // between transports, so neither JIT warm-up nor a burst of load elsewhere on a shared
        // machine favours whichever runs first.
        for (Transport transport : transports.values()) {
            smallFrames(transport);
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 0; round < SMALL_ROUNDS; round++) {
            for (var entry : transports.entrySet()) {
                double rate = smallFrames(entry.getValue());
                rates.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(rate);
                System.out.printf(Locale.ROOT, "%s small frames, round %d: %,.0f frames/s of %d B%n",
                        entry.getKey(), round + 1, rate, SMALL_FRAME);
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        rates.forEach((name, list) -> medians.put(name, median(list)));
        medians.forEach((name, median) -> System.out.printf(Locale.ROOT,
                "%s small frames: median %,.0f frames/s over %d rounds%s%n", name, median, SMALL_ROUNDS,
                medians.containsKey("tcp") && !name.equals("tcp")
                        ? String.format(Locale.ROOT, " = %.2f x tcp", median / medians.get("tcp")) : ""));
        for (var entry : transports.entrySet()) {
            bigFrames(entry.getKey(), entry.getValue(), 2);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** UDP with one packet size everywhere, loopback included: {@code udp:1200} is the size on real paths. */
    private static Transport udpWithPacketSize(int packetSize) {
        return UdpTransport.create(TransportOptions.defaults(),
                UdpOptions.defaults().toBuilder().maxPacketSize(packetSize).loopbackPacketSize(0).build());
    }

    private static List<String> defaultTransports() {
        var names = new ArrayList<String>();
        names.add("udp");
        names.add("udp:1200");
        if (Transport.names().contains("tcp")) {
            names.add("tcp");
        }
        return names;
    }

    /** Sends {@value #SMALL_FRAMES} small frames over a fresh connection; returns frames per second. */
    private static double smallFrames(Transport transport) throws Exception {
        var done = new CountDownLatch(SMALL_FRAMES);
        try (Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), counting(done));
             Connection client = transport.connect(listener.localAddress(), ignoring())) {
            byte[] frame = new byte[SMALL_FRAME];
            long start = System.nanoTime();
            for (int i = 0; i < SMALL_FRAMES; i++) {
                client.send(frame);
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(transport.name() + ": frames missing after 60 s");
            }
            return SMALL_FRAMES / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void bigFrames(String name, Transport transport, int warmups) throws Exception {
        var arrived = new AtomicReference<CountDownLatch>();
        ConnectionHandler server = new ConnectionHandler() {
            @Override
            public void onFrame(Connection connection, byte[] frame) {
                arrived.get().countDown();
            }
        };
        try (Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), server);
             Connection client = transport.connect(listener.localAddress(), ignoring())) {
            byte[] big = new byte[BIG_FRAME];
            long[] millis = new long[BIG_ROUNDS];
            for (int round = -warmups; round < BIG_ROUNDS; round++) {
                var latch = new CountDownLatch(1);
                arrived.set(latch);
                long start = System.nanoTime();
                client.send(big);
                if (!latch.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(transport.name() + ": 1 MiB frame missing after 10 s");
                }
                if (round >= 0) {
                    millis[round] = System.nanoTime() - start;
                }
            }
            Arrays.sort(millis);
            System.out.printf(Locale.ROOT, "%s 1 MiB frame: median %.1f ms, p90 %.1f ms, max %.1f ms over %d rounds%n",
                    name, millis[BIG_ROUNDS / 2] / 1e6, millis[BIG_ROUNDS * 9 / 10] / 1e6,
                    millis[BIG_ROUNDS - 1] / 1e6, BIG_ROUNDS);
            System.out.println(name + " stats after the big frames: " + client.stats().details());
        }
    }

    private static ConnectionHandler counting(CountDownLatch done) {
        return (connection, frame) -> done.countDown();
    }

    private static ConnectionHandler ignoring() {
        return (connection, frame) -> { };
    }
}
