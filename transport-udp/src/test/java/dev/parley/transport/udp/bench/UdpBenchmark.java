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
import java.util.List;
import java.util.Locale;
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

    private UdpBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> names = args.length > 0 ? List.of(args) : defaultTransports();
        for (String name : names) {
            Transport transport = name.startsWith("udp:") ? udpWithPacketSize(Integer.parseInt(name.substring(4)))
                    : Transport.byName(name, TransportOptions.defaults());
            System.out.println("--- " + name);
            smallFrames(transport, 2);
            bigFrames(transport, 2);
        }
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

    private static void smallFrames(Transport transport, int runs) throws Exception {
        for (int run = 0; run <= runs; run++) {
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
                double seconds = (System.nanoTime() - start) / 1e9;
                if (run > 0) {
                    System.out.printf(Locale.ROOT, "%s small frames: %d x %d B in %.3f s = %,.0f frames/s (%.1f MB/s)%n",
                            transport.name(), SMALL_FRAMES, SMALL_FRAME, seconds, SMALL_FRAMES / seconds,
                            SMALL_FRAMES * (double) SMALL_FRAME / seconds / 1e6);
                    System.out.println(transport.name() + " stats after the small frames: " + client.stats().details());
                }
            }
        }
    }

    private static void bigFrames(Transport transport, int warmups) throws Exception {
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
                    transport.name(), millis[BIG_ROUNDS / 2] / 1e6, millis[BIG_ROUNDS * 9 / 10] / 1e6,
                    millis[BIG_ROUNDS - 1] / 1e6, BIG_ROUNDS);
            System.out.println(transport.name() + " stats after the big frames: " + client.stats().details());
        }
    }

    private static ConnectionHandler counting(CountDownLatch done) {
        return (connection, frame) -> done.countDown();
    }

    private static ConnectionHandler ignoring() {
        return (connection, frame) -> { };
    }
}
