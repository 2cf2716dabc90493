package dev.parley.examples.datagrams;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The same messages sent through a Parley transport: over {@code udp}, Parley numbers, acknowledges
 * and retransmits datagrams, so every message arrives, once, in order, or the connection reports
 * that it broke. The receiver runs on the connection's delivery thread; the sender on the caller's.
 */
public final class ReliableDelivery {

    /** How long to wait for every message to arrive. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ReliableDelivery() {
    }

    /** Sends {@code count} messages over {@code transport} on loopback and counts those received. */
    public static Tally send(Transport transport, int count) throws IOException, InterruptedException {
        List<Integer> received = new CopyOnWriteArrayList<>();
        var all = new CountDownLatch(count);
        Endpoint receiver = Endpoint.builder(Datagram.codec())
                .on(Datagram.class, (from, datagram) -> {
                    received.add(datagram.seq());
                    all.countDown();
                })
                .build();
        try (Server server = receiver.listen(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Peer sender = Endpoint.builder(Datagram.codec()).build().connect(transport, server.localAddress());
            for (int seq = 0; seq < count; seq++) {
                sender.send(new Datagram(seq, "message " + seq));
            }
            all.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            sender.close();
        }
        return new Tally(count, received);
    }
}
