package dev.parley.chaos;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The program {@link SharedLinkFairnessTest} runs inside its network namespace, where loopback is a
 * rate-limited link: one flow per transport named in the arguments, each a Parley client sending
 * {@value #PAYLOAD_BYTES}-byte messages to a server of its own as fast as its transport takes them,
 * all at once. After the warm-up, it counts the payload bytes each server received during the
 * measured time and prints {@code flow INDEX TRANSPORT BYTES_PER_SECOND} for each, then exits 0.
 *
 * <p>Arguments: {@code WARMUP_MILLIS MEASURED_MILLIS TRANSPORT...}. The flows send on platform
 * threads of their own; the counts are kept by the servers' delivery threads.
 */
final class SharedLinkRun {

    static final int PAYLOAD_BYTES = 1024;
    private static final int BULK_ID = 301;

    /** The message every flow sends. */
    record Bulk(byte[] payload) {
    }

    private SharedLinkRun() {
    }

    public static void main(String[] args) throws Exception {
        long warmUp = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[0]));
        long measured = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        Codec codec = Codec.builder().register(BULK_ID, Bulk.class).build();
        List<String> names = List.of(args).subList(2, args.length);
        List<AtomicLong> received = new ArrayList<>();
        List<Peer> clients = new ArrayList<>();
        for (String name : names) {
            Transport transport = Transport.byName(name);
            var bytes = new AtomicLong();
            received.add(bytes);
            Server server = Endpoint.builder(codec).on(Bulk.class, (peer, bulk) -> bytes.addAndGet(bulk.payload().length))
                    .build().listen(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            clients.add(Endpoint.builder(codec).build().connect(transport, server.localAddress()));
        }
        long end = System.nanoTime() + warmUp + measured;
        for (Peer client : clients) {
            Thread.ofPlatform().daemon().start(() -> flood(client, end));
        }
        awaitNanos(warmUp);
        long[] before = received.stream().mapToLong(AtomicLong::get).toArray();
        long start = System.nanoTime();
        awaitNanos(measured);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < names.size(); i++) {
            System.out.printf(Locale.ROOT, "flow %d %s %.0f%n", i, names.get(i), (received.get(i).get() - before[i]) / seconds);
        }
        // Exiting ends every connection; a graceful close would first deliver what is still queued.
        System.exit(0);
    }

    private static void flood(Peer client, long end) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        try {
            while (System.nanoTime() < end) {
                client.send(new Bulk(payload));
            }
        } catch (Exception e) {
            System.out.println("flow failed: " + e);
            System.exit(1);
        }
    }

    /** Lets the flows run for {@code nanos}: this thread has nothing to wait for but the time. */
    private static void awaitNanos(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
