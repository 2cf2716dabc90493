package dev.parley.transport.memory;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.AbstractConnection;

import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One end of an in-memory connection. Its delivery thread takes frames straight from the other
 * end's outbound queue, so the queue bound is the whole buffer between the two handlers, and a
 * handler that blocks makes the other end's {@code send} wait.
 */
final class MemoryConnection extends AbstractConnection {

    private static final long BATCH_BYTES = 64 * 1024;

    private final SocketAddress local;
    private final SocketAddress remote;
    private final CompletableFuture<Void> openedSignal = new CompletableFuture<>();
    private final CountDownLatch outboundDrained = new CountDownLatch(1);
    private final TransportOptions options;
    private volatile MemoryConnection peer;

    MemoryConnection(ConnectionHandler handler, TransportOptions options, SocketAddress local, SocketAddress remote) {
        super(MemoryTransport.NAME, handler, options);
        this.options = options;
        this.local = local;
        this.remote = remote;
    }

    /** Joins two ends and starts both delivery threads; returns once the client end is open. */
    static void pair(MemoryConnection client, MemoryConnection server) throws InterruptedIOException {
        client.peer = server;
        server.peer = client;
        server.start();
        client.start();
        try {
            client.openedSignal.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.abort(e);
            throw new InterruptedIOException("interrupted while connecting");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void start() {
        Thread.ofVirtual().name("parley-memory-" + id()).start(this::deliveryLoop);
    }

    private void deliveryLoop() {
        opened();
        openedSignal.complete(null);
        List<byte[]> batch = new ArrayList<>();
        try {
            while (true) {
                long moved = peer.queue().drainTo(batch, BATCH_BYTES, 1, TimeUnit.SECONDS);
                if (moved < 0) {
                    break;
                }
                for (byte[] frame : batch) {
                    peer.recordSent(frame.length);
                    deliver(frame);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The peer's queue is closed and empty: it closed gracefully, or it was aborted.
        peer.outboundDrained.countDown();
        if (peer.isAborted()) {
            fail(new ConnectionClosedException(Reason.RESET_BY_PEER, "the peer aborted: " + peer.closeCause().getMessage()));
        } else {
            peerClosed();
        }
        awaitOutboundDrained();
        finished(new ConnectionClosedException(Reason.CLOSED_BY_PEER, "closed by the peer"));
    }

    /**
     * Waits until the peer's delivery thread has taken every frame this end queued: finishing
     * discards the queue, and frames queued in reply to the peer's close must still arrive.
     */
    private void awaitOutboundDrained() {
        if (isAborted()) {
            return;
        }
        try {
            if (!outboundDrained.await(options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                fail(new ConnectionClosedException(Reason.ABORTED,
                        "graceful close did not finish within " + options.closeTimeout()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new ConnectionClosedException(Reason.ABORTED, "interrupted while finishing the close", e));
        }
    }

    @Override
    protected void onCloseRequested() {
        CompletableFuture.delayedExecutor(options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!closeFuture().isDone()) {
                fail(new ConnectionClosedException(Reason.ABORTED,
                        "graceful close did not finish within " + options.closeTimeout()));
            }
        });
    }

    @Override
    protected void onAbort(ConnectionClosedException cause) {
        MemoryConnection other = peer;
        if (other != null) {
            other.fail(new ConnectionClosedException(Reason.RESET_BY_PEER, "the peer aborted: " + cause.getMessage()));
        }
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }
}
