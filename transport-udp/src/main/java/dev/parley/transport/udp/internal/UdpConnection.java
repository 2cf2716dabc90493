package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.AbstractConnection;
import dev.parley.transport.spi.FrameBudget;
import dev.parley.transport.udp.UdpOptions;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP connection: a {@link ReliableSession} behind a lock, fed by a receive loop and a
 * {@link TimerLoop}, with frames moved from the outbound queue into the session as its send
 * buffer frees up (so a full window blocks {@code send}), and a virtual thread of its own that
 * calls the handler.
 *
 * <p><b>Threads.</b> The receive loop calls {@link #onPacket}; the timer loop calls
 * {@link #fire} and also moves queued frames into the session and out to the network; senders
 * queue frames and wake the timer, except on a quiet connection (see {@link #writeThrough}) and
 * for the replies a handler batches to one batch of the inbox (see {@link #sendHeld}). Each
 * takes the session lock briefly and none of them runs handler code. The handler is called only
 * by this connection's delivery thread, in order: {@code onOpen}, frames, {@code onClose}.
 */
public final class UdpConnection extends AbstractConnection implements ReliableSession.Events, TimerLoop.Target {

    private final TransportOptions options;
    private final UdpOptions udp;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final TimerLoop timer;
    private final TimerLoop.Handle timerHandle;
    private final Runnable onGone;
    private final ReentrantLock lock = new ReentrantLock();
    private final Inbox inbox = new Inbox();
    /** Events the session reported under the lock, handed to the inbox as one batch on unlock. */
    private final List<InboxEvent> arrivals = new ArrayList<>();
    /** Frames in {@link #arrivals}: a batch is one event but many frames. */
    private int arrivalsFrames;
    /** The stream offset after the last reliable frame in {@link #arrivals}, or -1 if there is none. */
    private long arrivalsEndOffset = -1;
    private final AtomicInteger unreliableWaiting = new AtomicInteger();
    private final AtomicLong unreliableDropped = new AtomicLong();
    private final AtomicBoolean pumpRequested = new AtomicBoolean();
    private final CompletableFuture<Void> openSignal = new CompletableFuture<>();
    private final List<byte[]> batch = new ArrayList<>();
    private ReliableSession session;
    /**
     * Whether the session had nothing unacknowledged when its lock was last released: written only
     * then, read by senders without the lock, so that the senders of a stream of frames skip
     * write-through without taking the lock that the receive loop and the timer take for every
     * packet. Only a hint: write-through checks again under the lock.
     */
    private volatile boolean settled;
    private boolean gone;
    /** Whether the socket is this connection's alone (a client's), not a listener's that others share. */
    private boolean ownsSocket;

    /**
     * @param onGone runs once, on the timer thread, when the session has ended and lingered: the
     *               owner forgets the connection (and a client closes its socket)
     */
    public UdpConnection(ConnectionHandler handler, TransportOptions options, UdpOptions udp,
                         InetSocketAddress local, InetSocketAddress remote, TimerLoop timer, Runnable onGone) {
        super(UdpTransportName.NAME, handler, options);
        this.options = options;
        this.udp = udp;
        this.local = local;
        this.remote = remote;
        this.timer = timer;
        this.timerHandle = timer.register(this);
        this.onGone = onGone;
    }

    /** Starts a client handshake with connection id {@code localId}; see {@link #awaitOpen}. */
    public void startClient(long localId, DatagramSink sink) {
        long now = System.nanoTime();
        ownsSocket = true;
        start(() -> session = ReliableSession.client(localId, udp, options, sink, this, now), now, () -> { });
    }

    /**
     * Starts the server side for a client whose cookie checked out; its long frames reserve their
     * length in {@code frameBudget}, the listener's. {@code admitted} runs on the calling thread once
     * the session exists (so the connection can be closed) and before the handler hears anything of
     * it: the listener counts the connection there, so a handler's {@code onOpen} never comes before.
     */
    public void startServer(long localId, Packet.Initial initial, FrameBudget frameBudget, DatagramSink sink,
                            Runnable admitted) {
        long now = System.nanoTime();
        start(() -> session = ReliableSession.server(localId, initial, udp, options, frameBudget, sink, this, now), now,
                admitted);
    }

    /** Creates and starts the session, runs {@code admitted}, then starts delivering events to the handler. */
    private void start(Runnable create, long now, Runnable admitted) {
        lock.lock();
        try {
            create.run();
            session.start(now);
            afterEvent(now);
        } finally {
            unlock();
        }
        admitted.run();
        Thread.ofVirtual().name("parley-udp-" + id()).start(this::deliveryLoop);
    }

    /**
     * Waits until the handler's {@code onOpen} has run.
     *
     * @throws IOException if the handshake failed or timed out
     */
    public void awaitOpen(long timeout, TimeUnit unit) throws IOException {
        try {
            openSignal.get(timeout, unit);
        } catch (ExecutionException e) {
            throw new ConnectException("cannot connect to " + remote + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            abort(new ConnectionClosedException(Reason.PEER_UNRESPONSIVE, "connect timed out"));
            throw new SocketTimeoutException("no answer from " + remote + " within " + options.connectTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(e);
            throw new InterruptedIOException("interrupted while connecting to " + remote);
        }
    }

    /**
     * A packet for this connection arrived. Receive loop. If the session throws, the connection
     * ends ({@link #failed}) and the failure is rethrown for the loop to count.
     */
    public void onPacket(Packet packet, long now) {
        try {
            lock.lock();
            try {
                session.onPacket(packet, now);
                afterEvent(now);
            } finally {
                unlock();
            }
        } catch (RuntimeException | Error e) {
            failed(now, e);
            throw e;
        }
    }

    /** A datagram that looked like it was for this connection failed to decode. Receive loop. */
    public void onMalformed(MalformedPacketException.Kind kind) {
        lock.lock();
        try {
            session.countMalformed(kind);
        } finally {
            unlock();
        }
    }

    /** The operating system says nothing listens at the peer's port. Client receive loop. */
    public void onUnreachable() {
        lock.lock();
        try {
            if (!session.isOpen()) {
                session.abort(new ConnectionClosedException(Reason.IO_ERROR,
                        "connection refused: nothing listens at " + remote), ResetCode.ABORTED, System.nanoTime());
            }
        } finally {
            unlock();
        }
    }

    @Override
    public long fire(long now) {
        lock.lock();
        try {
            if (gone) {
                return Long.MAX_VALUE;
            }
            pumpRequested.set(false);
            session.onTimer(now);
            afterEvent(now);
            if (session.isTerminated()) {
                gone = true;
                onGone.run();
                return Long.MAX_VALUE;
            }
            return session.nextDeadline();
        } finally {
            unlock();
        }
    }

    /**
     * The session threw: its state can no longer be trusted, so the connection ends at once with
     * that failure as its cause, telling the peer with a RESET if the session still can, skipping
     * the linger, and the owner forgets it. The handler hears of the close as for any abort.
     * Timer thread (or the receive loop, from {@link #onPacket}).
     */
    @Override
    public long failed(long now, Throwable failure) {
        var cause = new ConnectionClosedException(Reason.ABORTED, "the connection's protocol state failed: " + failure,
                failure);
        try {
            fail(cause);
        } catch (RuntimeException | Error resetFailed) {
            cause.addSuppressed(resetFailed);
        }
        lock.lock();
        try {
            if (!gone) {
                gone = true;
                openSignal.completeExceptionally(cause);
                arrivals.add(InboxEvent.FINISHED);
                onGone.run();
            }
            return Long.MAX_VALUE;
        } finally {
            unlock();
        }
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends {@code frame} on the calling thread when the connection is quiet, as TCP's write-through
     * does: the session lock is free, nothing is queued, everything sent before was acknowledged
     * and nothing went out for {@link #BURST_GAP_NANOS} ({@link ReliableSession#isIdle}). A
     * request, a reply or a chat line then reaches the socket without waking the timer thread; the
     * frames of a burst are queued, and the timer loop packs them together. Only threads that
     * nobody else interrupts mid-send write through a listener's socket, which every connection on
     * it shares (see {@link Datagrams}): on the server side, the connection's own delivery thread,
     * a handler answering; on the client side, whose socket is its own, any sender, as over TCP.
     */
    @Override
    protected boolean writeThrough(byte[] frame) {
        // Frames unacknowledged (the settled hint) or a pending wake-up (frames queued) rule a
        // write-through out: checked before the lock, so that the senders of a stream of frames do
        // not contend for it with the receive loop and the timer.
        if (!settled || (!ownsSocket && !isDeliveringOnCurrentThread()) || pumpRequested.get() || !lock.tryLock()) {
            return false;
        }
        try {
            long now = System.nanoTime();
            if (gone || !session.isIdle(now, BURST_GAP_NANOS) || session.sendRoom() < frame.length
                    || !queue().isEmptyAndOpen()) {
                return false;
            }
            session.send(frame);
            recordSent(frame.length);
            session.flush(now);
            timer.schedule(timerHandle, session.nextDeadline());
            return true;
        } finally {
            unlock();
        }
    }

    /**
     * Sends what the handler batched while it had one batch of the inbox, on the delivery thread, if
     * the session lock is free and no wake-up of the timer is pending (which would send it): the
     * replies go out together, as far as the congestion window lets them, without waking the
     * timer. What the window holds back leaves as acknowledgements open it, as for any frame.
     */
    @Override
    protected void sendHeld() {
        if (pumpRequested.get() || !lock.tryLock()) {
            onQueued();
            return;
        }
        try {
            if (!gone) {
                afterEvent(System.nanoTime());
            }
        } finally {
            unlock();
        }
    }

    /**
     * Wakes the timer loop to move the queued frame into the session, unless a wake-up is pending
     * already, which then takes this frame too: frames queued in quick succession leave together
     * in full packets (what a TCP writer thread gains by coalescing). Reads before it swaps: while a
     * wake-up is pending, senders only share the flag's cache line.
     */
    @Override
    protected void onQueued() {
        if (!pumpRequested.get() && pumpRequested.compareAndSet(false, true)) {
            timer.schedule(timerHandle, System.nanoTime());
        }
    }

    /** Sends once, unreliably, if it fits one packet; see {@link dev.parley.transport.Connection#sendUnreliable}. */
    @Override
    public boolean sendUnreliable(byte[] frame) throws ConnectionClosedException {
        if (frame.length == 0) {
            throw new IllegalArgumentException("frames must not be empty");
        }
        lock.lock();
        try {
            if (frame.length > session.maxUnreliableLength()) {
                throw new FrameTooLongException(frame.length, session.maxUnreliableLength());
            }
            if (closeCause() != null) {
                throw closedForSend();
            }
            long now = System.nanoTime();
            boolean queued = session.sendUnreliable(frame, now);
            if (queued) {
                recordSent(frame.length);
            }
            afterEvent(now);
            return queued;
        } finally {
            unlock();
        }
    }

    /** Moves frames from the outbound queue while the session has room, sends, re-arms the timer. Under the lock. */
    private void afterEvent(long now) {
        while (session.canSend() && session.sendRoom() > 0) {
            long moved;
            try {
                moved = queue().drainTo(batch, session.sendRoom(), 0, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (moved < 0) {
                // Closed: gracefully, so finish sending; or by an abort, which discards the queue
                // before its reset is sent (onAbort), and must not be read as a graceful end.
                if (!isAborted()) {
                    session.finishSending(now);
                }
                break;
            }
            if (moved == 0) {
                break;
            }
            for (byte[] frame : batch) {
                session.send(frame);
                recordSent(frame.length);
            }
            batch.clear();
        }
        session.flush(now);
        timer.schedule(timerHandle, session.nextDeadline());
    }

    @Override
    protected void onCloseRequested() {
        lock.lock();
        try {
            long now = System.nanoTime();
            session.closeBy(now + options.closeTimeout().toNanos());
            afterEvent(now);
        } finally {
            unlock();
        }
    }

    @Override
    protected void onAbort(ConnectionClosedException cause) {
        lock.lock();
        try {
            if (session == null) {
                return;
            }
            long now = System.nanoTime();
            ResetCode code = switch (cause.reason()) {
                case SHUTDOWN -> ResetCode.SHUTDOWN;
                case PROTOCOL_ERROR -> ResetCode.PROTOCOL_ERROR;
                default -> ResetCode.ABORTED;
            };
            session.abort(cause, code, now);
            timer.schedule(timerHandle, session.nextDeadline());
        } finally {
            unlock();
        }
    }

    // ------------------------------------------------------------------ session events (under the lock)

    @Override
    public void established() {
        arrivals.add(InboxEvent.OPENED);
    }

    @Override
    public void frameArrived(byte[] frame, long endOffset) {
        arrivals.add(new InboxEvent.Reliable(frame));
        arrivalsFrames++;
        arrivalsEndOffset = endOffset;
    }

    /** The batch goes to the delivery thread as the one array it arrived in, not frame by frame. */
    @Override
    public void framesArrived(byte[][] frames, long endOffset) {
        arrivals.add(new InboxEvent.Batch(frames));
        arrivalsFrames += frames.length;
        arrivalsEndOffset = endOffset;
    }

    @Override
    public void datagramArrived(byte[] frame) {
        if (unreliableWaiting.incrementAndGet() > udp.maxPendingUnreliable()) {
            unreliableWaiting.decrementAndGet();
            unreliableDropped.incrementAndGet();
            return;
        }
        arrivals.add(new InboxEvent.Unreliable(frame));
        arrivalsFrames++;
    }

    /**
     * The peer's FIN arrived after all its frames; the delivery thread marks the connection closed
     * by the peer only once the handler has seen those frames, so replies it sends to them still
     * go out before this side's FIN.
     */
    @Override
    public void peerFinished() {
        arrivals.add(InboxEvent.PEER_FINISHED);
    }

    @Override
    public void terminated(ConnectionClosedException cause) {
        if (cause != null) {
            fail(cause);
            openSignal.completeExceptionally(cause);
        }
        arrivals.add(InboxEvent.FINISHED);
    }

    // ------------------------------------------------------------------ delivery thread

    private void deliveryLoop() {
        boolean open = false;
        var events = new ArrayList<InboxEvent>();
        try {
            while (true) {
                long consumedUpTo = inbox.takeAll(events);
                holdSends();
                for (InboxEvent event : events) {
                    switch (event) {
                        case InboxEvent.Batch(byte[][] frames) -> {
                            for (byte[] frame : frames) {
                                deliver(frame);
                            }
                        }
                        case InboxEvent.Reliable(byte[] frame) -> deliver(frame);
                        case InboxEvent.Opened() -> {
                            open = true;
                            opened();
                            openSignal.complete(null);
                        }
                        case InboxEvent.Unreliable(byte[] frame) -> {
                            deliver(frame);
                            unreliableWaiting.decrementAndGet();
                        }
                        case InboxEvent.PeerFinished() -> {
                            peerClosed();
                            finishAfterPeer();
                        }
                        case InboxEvent.Finished() -> {
                            if (open) {
                                finished(new ConnectionClosedException(Reason.CLOSED_BY_PEER, "closed by the peer"));
                            }
                            return;
                        }
                    }
                }
                events.clear();
                releaseSends();
                if (consumedUpTo >= 0) {
                    consumed(consumedUpTo);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (open) {
                finished(new ConnectionClosedException(Reason.ABORTED, "the delivery thread was interrupted"));
            }
        }
    }

    private void finishAfterPeer() {
        lock.lock();
        try {
            long now = System.nanoTime();
            session.closeBy(now + options.closeTimeout().toNanos());
            afterEvent(now);
        } finally {
            unlock();
        }
    }

    private void consumed(long endOffset) {
        lock.lock();
        try {
            long now = System.nanoTime();
            session.onConsumed(endOffset, now);
            afterEvent(now);
        } finally {
            unlock();
        }
    }

    /** Releases the session lock, first handing what the session reported to the delivery thread. */
    private void unlock() {
        try {
            if (!arrivals.isEmpty() && lock.getHoldCount() == 1) {
                inbox.addAll(arrivals, arrivalsFrames, arrivalsEndOffset);
                arrivals.clear();
                arrivalsFrames = 0;
                arrivalsEndOffset = -1;
            }
            boolean nowSettled = session != null && session.isSettled();
            if (settled != nowSettled) {
                settled = nowSettled;
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ facts

    @Override
    protected Map<String, Long> details() {
        lock.lock();
        try {
            var d = new LinkedHashMap<>(session.details());
            d.put("unreliableDropped", unreliableDropped.get());
            d.put("inboxFrames", (long) inbox.frames());
            return d;
        } finally {
            unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }
}
