package dev.parley.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Aeron over UDP on loopback with an embedded media driver (shared threading mode: one driver
 * thread). Each client has an exclusive publication to the server's channel and a subscription on
 * a port of its own; the server polls on one thread and echoes the frames that ask for it on the
 * client's reply publication, found by the sender's session id. A pipelined run is a stream of
 * non-echo frames and one echo frame behind them (a session's frames arrive in order). Offers that
 * meet back pressure are retried with a back-off; every wait gives up after 30 s. Aeron is a
 * throughput peer for UDP; unlike the others it is not reliable across loss by default.
 */
final class AeronContender implements Contender {

    private static final int SERVER_STREAM = 1001;
    private static final int REPLY_STREAM = 1002;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final byte SINK = 0;
    private static final byte ECHO = 1;

    private final Map<Integer, ExclusivePublication> replies = new ConcurrentHashMap<>();
    private MediaDriver driver;
    private Aeron aeron;
    private Subscription serverSubscription;
    private Thread serverThread;
    private volatile boolean running = true;

    @Override
    public String name() {
        return "aeron-udp";
    }

    @Override
    public void start() throws IOException {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        serverSubscription = aeron.addSubscription(channel(freeUdpPort()), SERVER_STREAM);
        serverThread = Thread.ofPlatform().daemon().name("aeron-server").start(this::serve);
    }

    /** The server's poll loop, on its own thread until {@link #close}. */
    private void serve() {
        IdleStrategy idle = new BackoffIdleStrategy();
        FragmentHandler echo = (buffer, offset, length, header) -> {
            if (buffer.getByte(offset) == ECHO) {
                offerUntilTaken(replies.get(header.sessionId()), buffer, offset, length);
            }
        };
        while (running) {
            idle.idle(serverSubscription.poll(echo, 256));
        }
    }

    @Override
    public Client connect() throws IOException, TimeoutException {
        ExclusivePublication requests = aeron.addExclusivePublication(serverSubscription.channel(), SERVER_STREAM);
        String replyChannel = channel(freeUdpPort());
        Subscription replySubscription = aeron.addSubscription(replyChannel, REPLY_STREAM);
        ExclusivePublication replyPublication = aeron.addExclusivePublication(replyChannel, REPLY_STREAM);
        replies.put(requests.sessionId(), replyPublication);
        awaitConnected(requests, replyPublication);
        var echoFrame = new UnsafeBuffer(Payloads.SMALL.clone());
        echoFrame.putByte(0, ECHO);
        var sinkFrame = new UnsafeBuffer(Payloads.SMALL.clone());
        sinkFrame.putByte(0, SINK);
        return new Client() {
            private final IdleStrategy idle = new BackoffIdleStrategy();
            private long received;
            private final FragmentHandler counter = (DirectBuffer buffer, int offset, int length, Header header) -> received++;

            @Override
            public void roundTrip() throws TimeoutException {
                offerUntilTaken(requests, echoFrame, 0, echoFrame.capacity());
                long wanted = received + 1;
                long deadline = System.nanoTime() + TIMEOUT_NANOS;
                idle.reset();
                while (received < wanted) {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("no Aeron echo within 30 s");
                    }
                    idle.idle(replySubscription.poll(counter, 16));
                }
            }

            @Override
            public void pipeline(int messages) throws TimeoutException {
                for (int i = 1; i < messages; i++) {
                    offerUntilTaken(requests, sinkFrame, 0, sinkFrame.capacity());
                }
                roundTrip();
            }

            @Override
            public void close() {
                replies.remove(requests.sessionId());
                requests.close();
                replyPublication.close();
                replySubscription.close();
            }
        };
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        serverThread.join(TimeUnit.SECONDS.toMillis(10));
        aeron.close();
        driver.close();
    }

    /** Offers until the publication takes the frame, backing off while it is back-pressured. */
    private static void offerUntilTaken(Publication publication, DirectBuffer buffer, int offset, int length) {
        if (publication == null) {
            throw new IllegalStateException("an Aeron frame from a session with no reply publication");
        }
        IdleStrategy idle = new BackoffIdleStrategy();
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        long result;
        while ((result = publication.offer(buffer, offset, length)) < 0) {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException("Aeron refused a frame: offer returned " + result);
            }
            idle.idle();
        }
    }

    private static void awaitConnected(Publication... publications) throws TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        for (Publication publication : publications) {
            while (!publication.isConnected()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("Aeron publication not connected within 30 s");
                }
                Thread.onSpinWait();
            }
        }
    }

    private static String channel(int port) {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    /** Aeron binds the port it is given: ask the system for a free one first. */
    private static int freeUdpPort() throws IOException {
        try (var socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
