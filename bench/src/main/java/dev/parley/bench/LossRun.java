package dev.parley.bench;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.CongestionControl;
import dev.parley.transport.udp.UdpOptions;
import dev.parley.transport.udp.UdpTransport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The program {@link UnderLoss} runs inside its network namespace, once per transport and loss
 * level: a Parley server and {@value #CLIENTS} clients over loopback, where nftables drops packets.
 *
 * <p><b>Delivery latency</b>, the way chat users or game clients talk: each client sends a
 * {@link Stamp} of {@link Payloads#SMALL} every {@value #CLIENTS} ms, the clients in turn, one
 * message a millisecond in all. Sending is paced, so what is measured is how fast each transport
 * recovers a lost packet that no other packet of its connection follows soon, not a queue the
 * sender built. The server's handler records how long each message took, sender and receiver
 * sharing the clock of this JVM. <b>Goodput</b>: then one client sends {@value #BULK_BYTES}-byte
 * stamps as fast as the transport takes them, and the server counts payload bytes per second. The
 * timed phase starts once the flood has run {@link #BULK_WARM_UP} and the JIT has compiled nothing
 * for {@link #JIT_QUIET} (see {@link #warmUpFlood}), so that it measures compiled code.
 *
 * <p>Arguments: {@code TRANSPORT WARMUP_MILLIS LATENCY_MILLIS GOODPUT_MILLIS}. Prints {@code
 * connected} once every client is, waits for a line on its standard input (the parent turns the
 * loss on in between), measures, prints {@code loss TRANSPORT SAMPLES P50_NANOS P99_NANOS
 * GOODPUT_BYTES_PER_SECOND} and exits 0. Runs on its
 * main thread; the server's handler on the connection's delivery thread.
 */
public final class LossRun {

    /** Clients sending paced messages; also each one's period in milliseconds. */
    static final int CLIENTS = 100;
    /** Time between two paced messages, from any client. */
    static final long PERIOD_MICROS = 1_000;
    static final int BULK_BYTES = 1024;
    /**
     * The least flooding before goodput is timed: the bulk path's code (batches of large frames)
     * is not the paced phase's, and on the 2-core machine its goodput steps up about 2.4 s into a
     * flood, when the JIT has compiled it, whatever the transport or congestion controller.
     */
    static final Duration BULK_WARM_UP = Duration.ofSeconds(3);
    /**
     * How long the JIT must have compiled nothing before goodput is timed. Three seconds of flood
     * were not enough on the 2-core machine: {@code -XX:+PrintCompilation} showed C2 compiling
     * UDP's per-packet code ({@code ReliableSession.onData}, {@code LossDetector.onAck}, run once
     * per 64 KB datagram) 2 and 3 s into the timed phase, and in paired runs at 1 % loss both
     * transports' goodput rose by about half once the timed phase waited for a quiet JIT
     * ({@code bench/RESULTS.md}).
     */
    static final Duration JIT_QUIET = Duration.ofSeconds(1);
    /** The most flooding before goodput is timed, quiet JIT or not. */
    static final Duration BULK_WARM_UP_LIMIT = Duration.ofSeconds(15);
    /** How often the warm-up looks at the JIT's total compilation time. */
    private static final Duration JIT_CHECK_PERIOD = Duration.ofMillis(100);
    static final int STAMP_ID = 201;

    private LossRun() {
    }

    public static void main(String[] args) throws Exception {
        Transport transport = transport(args[0]);
        Duration warmUp = Duration.ofMillis(Long.parseLong(args[1]));
        Duration latencyPhase = Duration.ofMillis(Long.parseLong(args[2]));
        Duration goodputPhase = Duration.ofMillis(Long.parseLong(args[3]));
        Codec codec = Codec.builder().register(STAMP_ID, Stamp.class).build();
        int capacity = (int) (latencyPhase.toNanos() / TimeUnit.MICROSECONDS.toNanos(PERIOD_MICROS)) + 1;
        var receiver = new Receiver(capacity);
        Endpoint serving = Endpoint.builder(codec).on(Stamp.class, (peer, stamp) -> receiver.arrived(stamp)).build();
        Server server = serving.listen(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Endpoint sending = Endpoint.builder(codec).build();
        List<Peer> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(sending.connect(transport, server.localAddress()));
        }
        System.out.println("connected");
        // The parent turns the loss on now: connecting is not what is measured, and a handshake
        // lost over and over could outlast the connect timeout.
        if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
            System.exit(1);
        }
        long sent = paced(clients, warmUp);
        receiver.arrivals.awaitAtLeast(sent);
        receiver.measureFrom = System.nanoTime();
        sent += paced(clients, latencyPhase);
        receiver.arrivals.awaitAtLeast(sent); // at most 30 s: the stragglers lost and lost again
        Latency latency = Latency.of(transport.name(), receiver.samples, Math.min(receiver.samples.length,
                receiver.measured.get()));

        byte[] bulk = new byte[BULK_BYTES];
        Peer client = clients.getFirst();
        warmUpFlood(client, bulk, bulkWarmUp(warmUp));
        long startBytes = receiver.payloadBytes.get();
        long start = System.nanoTime();
        flood(client, bulk, goodputPhase);
        double goodput = (receiver.payloadBytes.get() - startBytes) * 1e9 / (System.nanoTime() - start);
        System.out.printf(Locale.ROOT, "loss %s %d %d %d %.0f%n", args[0], latency.samples(),
                latency.p50(), latency.p99(), goodput);
        // Exiting ends both sockets; a graceful close would first deliver the flood still queued.
        System.exit(0);
    }

    /**
     * The least the client floods before goodput is timed, given the run's {@code warmUp}:
     * {@link #BULK_WARM_UP} at least; {@link #warmUpFlood} may go on up to {@link #longestBulkWarmUp}.
     */
    static Duration bulkWarmUp(Duration warmUp) {
        return warmUp.compareTo(BULK_WARM_UP) > 0 ? warmUp : BULK_WARM_UP;
    }

    /** The longest the client may flood before goodput is timed, given the run's {@code warmUp}. */
    static Duration longestBulkWarmUp(Duration warmUp) {
        Duration least = bulkWarmUp(warmUp);
        return least.compareTo(BULK_WARM_UP_LIMIT) > 0 ? least : BULK_WARM_UP_LIMIT;
    }

    /**
     * Floods for at least {@code least}, then on until the JIT's total compilation time has not
     * grown for {@link #JIT_QUIET}, or until {@link #longestBulkWarmUp} has passed; only {@code
     * least} where the JVM does not report compilation time.
     */
    private static void warmUpFlood(Peer client, byte[] bulk, Duration least) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            flood(client, bulk, least);
            return;
        }
        long start = System.nanoTime();
        long longest = longestBulkWarmUp(least).toNanos();
        long compiledMillis = jit.getTotalCompilationTime();
        long quietSince = start;
        long now = start;
        while ((now - start < least.toNanos() || now - quietSince < JIT_QUIET.toNanos()) && now - start < longest) {
            flood(client, bulk, JIT_CHECK_PERIOD);
            now = System.nanoTime();
            long total = jit.getTotalCompilationTime();
            if (total != compiledMillis) {
                compiledMillis = total;
                quietSince = now;
            }
        }
    }

    /** A transport by name, or {@code udp-CONTROLLER} for UDP with that congestion controller ({@link UnderLoss#udpWith}). */
    private static Transport transport(String name) {
        if (!name.startsWith("udp-")) {
            return Transport.byName(name);
        }
        var controller = CongestionControl.valueOf(name.substring("udp-".length()).toUpperCase(Locale.ROOT));
        return UdpTransport.create(TransportOptions.defaults(),
                UdpOptions.defaults().toBuilder().congestionControl(controller).build());
    }

    /** Sends one small stamp every period, from each client in turn, for {@code duration}; returns how many. */
    private static long paced(List<Peer> clients, Duration duration) throws Exception {
        long period = TimeUnit.MICROSECONDS.toNanos(PERIOD_MICROS);
        long start = System.nanoTime();
        long count = duration.toNanos() / period;
        for (long i = 0; i < count; i++) {
            long due = start + i * period;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            clients.get((int) (i % clients.size())).send(new Stamp(System.nanoTime(), Payloads.SMALL));
        }
        return count;
    }

    /** Sends bulk stamps as fast as the connection takes them until {@code duration} has passed. */
    private static void flood(Peer client, byte[] bulk, Duration duration) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            client.send(new Stamp(0, bulk));
        }
    }

    /**
     * The server's handler state, written by the delivery threads of every connection: each sample
     * has a slot of its own, published to the main thread by the arrival count that follows it.
     */
    private static final class Receiver {
        final Arrivals arrivals = new Arrivals();
        final AtomicLong payloadBytes = new AtomicLong();
        final AtomicInteger measured = new AtomicInteger();
        final long[] samples;
        volatile long measureFrom = Long.MAX_VALUE;

        Receiver(int capacity) {
            this.samples = new long[capacity];
        }

        void arrived(Stamp stamp) {
            if (stamp.sentNanos() >= measureFrom) {
                int slot = measured.getAndIncrement();
                if (slot < samples.length) {
                    samples[slot] = System.nanoTime() - stamp.sentNanos();
                }
            }
            payloadBytes.addAndGet(stamp.payload().length);
            arrivals.arrived();
        }
    }
}
