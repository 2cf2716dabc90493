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
    /**
     * A subscription's channel on a port the media driver picks when it binds: choosing a free port
     * first and binding it later races with every other process that wants one.
     */
    private static final String ANY_PORT = "aeron:udp?endpoint=127.0.0.1:0";

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
    public void start() {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        serverSubscription = aeron.addSubscription(ANY_PORT, SERVER_STREAM);
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
    public Client connect() throws TimeoutException {
        ExclusivePublication requests = aeron.addExclusivePublication(boundChannel(serverSubscription), SERVER_STREAM);
        Subscription replySubscription = aeron.addSubscription(ANY_PORT, REPLY_STREAM);
        ExclusivePublication replyPublication =
                aeron.addExclusivePublication(boundChannel(replySubscription), REPLY_STREAM);
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

    /**
     * The channel a publication uses to reach a subscription made on {@link #ANY_PORT}: the port
     * the media driver bound, known once it has resolved the endpoint.
     */
    private static String boundChannel(Subscription subscription) throws TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        String endpoint;
        while ((endpoint = subscription.resolvedEndpoint()) == null) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Aeron subscription not bound within 30 s");
            }
            Thread.onSpinWait();
        }
        return "aeron:udp?endpoint=" + endpoint;
    }
}
