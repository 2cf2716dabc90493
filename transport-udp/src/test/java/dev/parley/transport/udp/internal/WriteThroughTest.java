package dev.parley.transport.udp.internal;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.FrameBudget;
import dev.parley.transport.udp.UdpOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static dev.parley.transport.TransportConformanceTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A frame sent on a quiet client connection leaves on the sender's own thread, as over TCP, without
 * waking the connection's timer: once everything sent before was acknowledged, the connection is
 * quiet again. A client and a server connection are wired to each other in memory, each datagram carried
 * by a thread of its own (a connection calls its sink holding its lock), so the test sees which
 * thread sent each packet that carries frames.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WriteThroughTest {

    private static final long CLIENT_ID = 1;
    private static final long SERVER_ID = 2;
    private static final int QUIET_SENDS = 5;
    /** Longer than the gap after which a connection that sent something counts as quiet again (20 µs). */
    private static final long QUIET_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<Thread> carriers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
        carriers.forEach(Thread::interrupt);
    }

    @Test
    void aQuietClientSendsOnTheCallersThreadAndDoesSoAgainOnceEverythingWasAcknowledged() throws Exception {
        var loopback = InetAddress.getLoopbackAddress();
        var clientAddress = new InetSocketAddress(loopback, 1);
        var serverAddress = new InetSocketAddress(loopback, 2);
        var options = TransportOptions.defaults();
        var udp = UdpOptions.defaults();
        BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        var client = new UdpConnection(handler(frame -> { }), options, udp, clientAddress, serverAddress,
                timer("client"), () -> { });
        var server = new UdpConnection(handler(received::add), options, udp, serverAddress, clientAddress,
                timer("server"), () -> { });
        opened.add(() -> client.abort(new IllegalStateException("the test is over")));
        opened.add(() -> server.abort(new IllegalStateException("the test is over")));
        List<String> framesSentBy = new CopyOnWriteArrayList<>();
        var serverStarted = new AtomicBoolean();
        DatagramSink toServer = carrier("to-server", datagram -> {
            Packet packet = PacketCodec.decode(datagram, datagram.length);
            if (packet instanceof Packet.Initial initial && serverStarted.compareAndSet(false, true)) {
                server.startServer(SERVER_ID, initial, FrameBudget.unlimited(), carrier("to-client",
                        back -> client.onPacket(PacketCodec.decode(back, back.length), System.nanoTime())), () -> { });
            } else {
                server.onPacket(packet, System.nanoTime());
            }
        });
        client.startClient(CLIENT_ID, (buf, length) -> {
            if (carriesFrames(buf, length)) {
                framesSentBy.add(Thread.currentThread().getName());
            }
            toServer.send(buf, length);
        });
        client.awaitOpen(10, TimeUnit.SECONDS);
        String self = Thread.currentThread().getName();

        client.send(new byte[]{0});
        assertThat(received.poll(10, TimeUnit.SECONDS)).containsExactly(0);
        awaitQuiet(client);
        int afterTheFirst = framesSentBy.size();
        for (byte i = 1; i <= QUIET_SENDS; i++) {
            client.send(new byte[]{i});
            assertThat(received.poll(10, TimeUnit.SECONDS)).containsExactly(i);
            awaitQuiet(client);
        }

        // A send may find the lock held a moment by a packet coming in (the server's window update)
        // and leave its frame to the timer, as it should: so not every one is asserted.
        assertThat(framesSentBy.subList(afterTheFirst, framesSentBy.size()))
                .as("the threads that sent frames once everything sent before was acknowledged").contains(self);
    }

    /** Waits until everything {@code client} sent was acknowledged and a burst's gap has passed since. */
    private static void awaitQuiet(UdpConnection client) {
        long since = System.nanoTime();
        awaitTrue("everything sent acknowledged, and the connection quiet for longer than a burst's gap",
                () -> client.stats().details().get("bytesInFlight") == 0
                        && System.nanoTime() - since > QUIET_NANOS);
    }

    private static ConnectionHandler handler(Consumer<byte[]> frames) {
        return new ConnectionHandler() {
            @Override
            public void onFrame(Connection connection, byte[] frame) {
                frames.accept(frame);
            }
        };
    }

    private TimerLoop timer(String side) {
        var timer = new TimerLoop(Thread.ofVirtual().name("write-through-" + side + "-timer"));
        opened.add(timer);
        return timer;
    }

    /** A sink that copies each datagram and hands it, in order, to {@code receiver} on a thread of its own. */
    private DatagramSink carrier(String name, DatagramReceiver receiver) {
        BlockingQueue<byte[]> datagrams = new LinkedBlockingQueue<>();
        carriers.add(Thread.ofVirtual().name("write-through-" + name).start(() -> {
            try {
                while (true) {
                    receiver.receive(datagrams.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (MalformedPacketException e) {
                throw new IllegalStateException("a connection sent a malformed datagram", e);
            }
        }));
        return (buf, length) -> datagrams.add(Arrays.copyOf(buf, length));
    }

    private static boolean carriesFrames(byte[] buf, int length) {
        try {
            return PacketCodec.decode(Arrays.copyOf(buf, length), length) instanceof Packet.Data data
                    && data.frames().stream().anyMatch(Frame.Segment.class::isInstance);
        } catch (MalformedPacketException e) {
            throw new IllegalStateException("the client sent a malformed datagram", e);
        }
    }

    private interface DatagramReceiver {
        void receive(byte[] datagram) throws MalformedPacketException;
    }
}
