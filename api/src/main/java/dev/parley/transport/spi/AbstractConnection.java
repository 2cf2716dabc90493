package dev.parley.transport.spi;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.ConnectionStats;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.TransportOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every {@link Connection} shares, so a transport writes only its I/O: the bounded
 * {@link OutboundQueue}, frame-length checks, "the first close decides the cause", handler calls
 * that never let an exception escape, and the counters behind {@link #stats()}.
 *
 * <p>A subclass must: call {@link #opened()} once, before any frame; call {@link #deliver} for each
 * frame, from the single thread that serves this connection; take frames from {@link #queue()} to
 * write them, reporting each with {@link #recordSent}; and call {@link #finished} once, from
 * that same delivery thread, when the connection is fully closed. It reacts to closes by
 * overriding {@link #onCloseRequested} and {@link #onAbort}. It may also write a frame on the
 * sending thread, skipping the queue, by overriding {@link #writeThrough}.
 */
public abstract class AbstractConnection implements Connection {

    private static final Logger log = LoggerFactory.getLogger(AbstractConnection.class);
    private static final AtomicLong IDS = new AtomicLong();
    /**
     * For {@link #writeThrough}: a send this soon after the connection last wrote is taken as part
     * of a burst and queued, so that the transport's sending thread coalesces the burst into few
     * writes instead of the senders making one system call per frame; a frame after a longer gap
     * (a request, a reply) is written through.
     */
    protected static final long BURST_GAP_NANOS = 20_000;

    private final long id = IDS.incrementAndGet();
    private final String transportName;
    private final ConnectionHandler handler;
    private final int maxFrameLength;
    private final OutboundQueue queue;
    private final AtomicReference<ConnectionClosedException> closeCause = new AtomicReference<>();
    private final CompletableFuture<ConnectionClosedException> closeFuture = new CompletableFuture<>();
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private volatile Object attachment;
    /** The thread that calls the handler, once {@link #opened()} ran. */
    private volatile Thread deliveryThread;
    /** Delivery thread only: between {@link #holdSends} and {@link #releaseSends}. */
    private boolean holdingSends;
    /** Delivery thread only: a frame was queued quietly since {@link #holdSends}. */
    private boolean sendsHeld;

    protected AbstractConnection(String transportName, ConnectionHandler handler, TransportOptions options) {
        this.transportName = transportName;
        this.handler = handler;
        this.maxFrameLength = options.maxFrameLength();
        this.queue = new OutboundQueue(options.maxQueuedBytes(), this::closedForSend);
    }

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final String transportName() {
        return transportName;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        checkLength(frame);
        if (!writeThrough(frame)) {
            queue.put(frame);
            onQueued();
        }
    }

    /**
     * Holds the frame while the handler has the frames of one batch (see {@link #holdSends}). When
     * the queue has no room for it, what is held is sent first ({@link #sendHeld}), and the frame
     * then waits for room as with {@link #send}, so that a held queue never waits on a sleeping
     * writer.
     */
    @Override
    public void sendBatched(byte[] frame) throws IOException {
        if (!isDeliveringOnCurrentThread() || !holdingSends) {
            send(frame);
            return;
        }
        checkLength(frame);
        if (queue.offerQuietly(frame)) {
            sendsHeld = true;
            return;
        }
        sendAnyHeld();
        queue.put(frame);
        onQueued();
    }

    /**
     * Starts delivering frames that arrived together (those of one read): until
     * {@link #releaseSends}, frames the handler sends with {@link #sendBatched} are queued without
     * waking the transport's writer or writing through, so that the replies to all of them leave
     * together, in one write, with no thread woken per reply (Netty's "write in channelRead, flush
     * in channelReadComplete"). Delivery thread.
     */
    protected final void holdSends() {
        holdingSends = true;
    }

    /** Ends what {@link #holdSends} began: if the handler sent anything, calls {@link #sendHeld}. Delivery thread. */
    protected final void releaseSends() {
        holdingSends = false;
        sendAnyHeld();
    }

    /** If the handler queued a frame quietly that has not been sent on yet, calls {@link #sendHeld}. Delivery thread. */
    private void sendAnyHeld() {
        if (sendsHeld) {
            sendsHeld = false;
            sendHeld();
        }
    }

    /**
     * Frames the handler sent while sends were held wait in the queue, quietly: send them. Called on
     * the delivery thread, which may write them itself. Default: wakes the writer, as a send would.
     */
    protected void sendHeld() {
        queue.wakeWriter();
        onQueued();
    }

    /**
     * {@link #send} or {@link #trySend} queued a frame: a transport whose sending thread does not
     * wait on the queue itself wakes it here. Called on the sending thread. Default: nothing.
     */
    protected void onQueued() {
    }

    /**
     * Lets a transport write {@code frame} at once, on the thread calling {@link #send}, instead
     * of queueing it: it returns true if it wrote the frame, false to have it queued. It must
     * keep the order {@link Connection} promises (in practice: write only when nothing is queued
     * and no other write is under way) and report the frame with {@link #recordSent}. The frame
     * has passed the length checks. Default: false, every frame is queued.
     *
     * @throws ConnectionClosedException if the write failed, which closed the connection
     */
    protected boolean writeThrough(byte[] frame) throws IOException {
        return false;
    }

    @Override
    public boolean trySend(byte[] frame) throws ConnectionClosedException {
        checkLength(frame);
        boolean queued = queue.offer(frame);
        if (queued) {
            onQueued();
        }
        return queued;
    }

    /** Reliable transports deliver unreliable frames reliably: see {@link Connection#sendUnreliable}. */
    @Override
    public boolean sendUnreliable(byte[] frame) throws ConnectionClosedException {
        return trySend(frame);
    }

    @Override
    public final void attach(Object value) {
        attachment = value;
    }

    @Override
    public final Object attachment() {
        return attachment;
    }

    @Override
    public final boolean isOpen() {
        return closeCause.get() == null;
    }

    @Override
    public final void close() {
        closeGracefully(new ConnectionClosedException(Reason.CLOSED_LOCALLY, "closed by this side"));
    }

    /**
     * Starts a graceful close with {@code cause} (for example {@code SHUTDOWN} when a listener
     * closes), unless the connection is already closing: the queue stops admitting and
     * {@link #onCloseRequested} runs. Any thread.
     *
     * @return true if this call decided the cause
     */
    protected final boolean closeGracefully(ConnectionClosedException cause) {
        if (!markClosed(cause)) {
            return false;
        }
        queue.close();
        onCloseRequested();
        return true;
    }

    @Override
    public final void abort(Throwable cause) {
        ConnectionClosedException closed = cause instanceof ConnectionClosedException c
                ? c : new ConnectionClosedException(Reason.ABORTED, String.valueOf(cause.getMessage()), cause);
        fail(closed);
    }

    /**
     * Ends the connection abruptly: records {@code cause} unless an earlier abort decided one
     * (it replaces the cause of a graceful close under way, which the abort cuts short), discards
     * the queue and, if this is the first abort, calls {@link #onAbort}. For transports to report what
     * they detect (a reset, a timeout, a protocol error). Any thread.
     *
     * @return true if this call decided the cause
     */
    protected final boolean fail(ConnectionClosedException cause) {
        if (!aborted.compareAndSet(false, true)) {
            // Not before the first abort has recorded its cause: whoever sees the discarded queue
            // must see the cause (a memory connection whose peer's queue closed reads it at once).
            awaitAbortCause();
            queue.clear();
            return false;
        }
        // A graceful close that an abort cuts short did not end gracefully: the abort's cause wins.
        // The cause is recorded before the queue is discarded, so whoever sees the discarded
        // queue also sees the abort.
        ConnectionClosedException previous = closeCause.getAndUpdate(c -> c == null || c.isGraceful() ? cause : c);
        queue.clear();
        onAbort(cause);
        return previous == null || previous.isGraceful();
    }

    /**
     * Records a graceful close by the peer: no new frames are admitted, queued ones may still be
     * written. The transport then finishes as for a local close.
     *
     * @return true if this call decided the cause
     */
    protected final boolean peerClosed() {
        boolean first = markClosed(new ConnectionClosedException(Reason.CLOSED_BY_PEER, "closed by the peer"));
        queue.close();
        return first;
    }

    @Override
    public final CompletableFuture<ConnectionClosedException> closeFuture() {
        return closeFuture;
    }

    @Override
    public final ConnectionStats stats() {
        return new ConnectionStats(framesSent.get(), framesReceived.get(), bytesSent.get(), bytesReceived.get(),
                queue.queuedBytes(), details());
    }

    /** Transport-specific figures for {@link ConnectionStats#details()}. Default: none. */
    protected Map<String, Long> details() {
        return Map.of();
    }

    /** The frames waiting to be written. */
    protected final OutboundQueue queue() {
        return queue;
    }

    /** The cause the connection closed with, or null while it is open. */
    protected final ConnectionClosedException closeCause() {
        return closeCause.get();
    }

    /** True once the connection was aborted or failed (not closed gracefully). */
    protected final boolean isAborted() {
        return aborted.get();
    }

    /** The largest frame this connection sends or accepts. */
    protected final int maxFrameLength() {
        return maxFrameLength;
    }

    /** Called once, on the thread that started a graceful close, after the queue stopped admitting. */
    protected abstract void onCloseRequested();

    /**
     * Called once, on the first abort or failure, on the failing thread, after the queue was
     * discarded; {@code cause} is that abort's cause, which is not the close cause when a graceful
     * close came first. Must not block long.
     */
    protected abstract void onAbort(ConnectionClosedException cause);

    /** Counts one frame written. The thread that wrote it. */
    protected final void recordSent(int payloadBytes) {
        recordSent(1, payloadBytes);
    }

    /** Counts {@code frames} frames written together, of {@code payloadBytes} in all. The thread that wrote them. */
    protected final void recordSent(int frames, long payloadBytes) {
        framesSent.addAndGet(frames);
        bytesSent.addAndGet(payloadBytes);
    }

    /** Tells the handler the connection is open. Delivery thread, once, first. */
    protected final void opened() {
        deliveryThread = Thread.currentThread();
        try {
            handler.onOpen(this);
        } catch (RuntimeException | Error e) {
            handlerFailed("onOpen", e);
        }
    }

    /**
     * Hands one frame to the handler. Delivery thread. Frames still arriving during a graceful
     * close are delivered; after an abort they are dropped.
     */
    protected final void deliver(byte[] frame) {
        if (received(frame.length)) {
            try {
                handler.onFrame(this, frame);
            } catch (RuntimeException | Error e) {
                handlerFailed("onFrame", e);
            }
        }
    }

    /**
     * Hands the handler one frame that lies whole in the transport's read buffer, the
     * {@code length} bytes of {@code buffer} from {@code offset}, as {@link #deliver(byte[])}
     * does; the handler may use them until it returns. Delivery thread.
     */
    protected final void deliver(byte[] buffer, int offset, int length) {
        if (received(length)) {
            try {
                handler.onFrame(this, buffer, offset, length);
            } catch (RuntimeException | Error e) {
                handlerFailed("onFrame", e);
            }
        }
    }

    /** Counts a frame of {@code length} bytes in, unless the connection was aborted: then it is dropped. */
    private boolean received(int length) {
        if (aborted.get()) {
            return false;
        }
        framesReceived.incrementAndGet();
        bytesReceived.addAndGet(length);
        return true;
    }

    /**
     * Tells the handler the connection is closed, then completes {@link #closeFuture()}. Delivery
     * thread, once, last, and only once the writer is done: anything still queued is discarded.
     * If nothing recorded a cause yet, {@code fallback} is it.
     */
    protected final void finished(ConnectionClosedException fallback) {
        if (aborted.get()) {
            // Else a reader that saw the abort and ended would record its fallback (CLOSED_BY_PEER)
            // as the cause instead (seen once over TLS in abortGivesThePeerAReset).
            awaitAbortCause();
        }
        markClosed(fallback);
        queue.clear();
        ConnectionClosedException cause = closeCause.get();
        try {
            handler.onClose(this, cause);
        } catch (RuntimeException | Error e) {
            log.warn("connection {}: onClose handler threw", id, e);
        } finally {
            closeFuture.complete(cause);
        }
    }

    /**
     * Once {@link #aborted} is set: waits out the few instructions between {@link #fail} publishing
     * the abort and recording its cause.
     */
    private void awaitAbortCause() {
        while (closeCause.get() == null) {
            Thread.onSpinWait();
        }
    }

    /** True if the calling thread is the one that calls this connection's handler. */
    protected final boolean isDeliveringOnCurrentThread() {
        return deliveryThread == Thread.currentThread();
    }

    private void handlerFailed(String method, Throwable e) {
        log.warn("connection {}: {} handler threw; aborting the connection", id, method, e);
        fail(new ConnectionClosedException(Reason.HANDLER_FAILED, method + " handler threw " + e, e));
    }

    private boolean markClosed(ConnectionClosedException cause) {
        return closeCause.compareAndSet(null, cause);
    }

    /**
     * What a send on this closed connection throws: an exception of the sending thread's own,
     * caused by the close cause ({@link ConnectionClosedException#forThisThread()}).
     */
    protected final ConnectionClosedException closedForSend() {
        ConnectionClosedException cause = closeCause.get();
        return cause != null ? cause.forThisThread() : new ConnectionClosedException(Reason.CLOSED_LOCALLY, "closed");
    }

    private void checkLength(byte[] frame) {
        if (frame.length == 0) {
            throw new IllegalArgumentException("frames must not be empty");
        }
        if (frame.length > maxFrameLength) {
            throw new FrameTooLongException(frame.length, maxFrameLength);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + " " + localAddress() + " -> " + remoteAddress() + "]";
    }
}
