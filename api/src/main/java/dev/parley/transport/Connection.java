package dev.parley.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * One open, two-way channel of frames to a peer.
 *
 * <p>Sending is bounded: frames wait in an outbound queue of at most
 * {@link TransportOptions#maxQueuedBytes()} bytes. {@link #send} blocks while that queue is full
 * (backpressure: the sender goes no faster than the network and the peer); {@link #trySend}
 * refuses instead. Nothing is ever dropped silently: a frame is either queued, refused with a
 * {@code false}, or refused with an exception.
 *
 * <p>All methods are thread-safe; many threads may send at once and each thread's frames arrive
 * in the order that thread sent them.
 */
public interface Connection extends AutoCloseable {

    /** A number unique among this JVM's connections, for logs. */
    long id();

    /** The name of the transport that carries this connection. */
    String transportName();

    SocketAddress localAddress();

    SocketAddress remoteAddress();

    /**
     * Queues {@code frame} for reliable, ordered delivery, waiting while the outbound queue is full.
     * The array must not be changed afterwards (it may be shared, for example by a broadcast).

     *
     * @throws IllegalArgumentException if the frame is empty
     * @throws FrameTooLongException if the frame exceeds {@link TransportOptions#maxFrameLength()}
     * @throws ConnectionClosedException if the connection is closed, or closes while waiting
     * @throws java.io.InterruptedIOException if the thread is interrupted while waiting
     */
    void send(byte[] frame) throws IOException;

    /**
     * Sends {@code frame} as {@link #send} does, but lets the transport hold it when the handler
     * sends it from {@code onFrame}: until {@code onFrame} has returned for every frame that arrived
     * together with the one it handles, so that the replies to a burst of requests leave together,
     * in one write and with no thread woken per reply (as Netty flushes at the end of a read; TCP
     * and UDP hold, others need not). For a handler that returns promptly after sending: one that
     * blocks afterwards holds the frame back as long. From any other thread, the same as
     * {@link #send}. Default: {@link #send}.
     *
     * @throws IllegalArgumentException if the frame is empty
     * @throws FrameTooLongException if the frame exceeds {@link TransportOptions#maxFrameLength()}
     * @throws ConnectionClosedException if the connection is closed, or closes while waiting
     * @throws java.io.InterruptedIOException if the thread is interrupted while waiting
     */
    default void sendBatched(byte[] frame) throws IOException {
        send(frame);
    }

    /**
     * Queues {@code frame} for reliable, ordered delivery if the outbound queue has room now.
     *
     * @return {@code false} if the queue is full; the frame was not queued
     * @throws IllegalArgumentException if the frame is empty
     * @throws FrameTooLongException if the frame exceeds {@link TransportOptions#maxFrameLength()}
     * @throws ConnectionClosedException if the connection is closed
     */
    boolean trySend(byte[] frame) throws ConnectionClosedException;

    /**
     * Sends {@code frame} once, best effort: it may be lost, and may arrive out of order with
     * other frames, which suits data that is stale by the time a retransmission would arrive
     * (positions in a game). It never waits. Transports that are reliable anyway (TCP, memory)
     * deliver it like {@link #trySend}.
     *
     * @return {@code false} if the frame was dropped at once because the queue is full
     * @throws FrameTooLongException if the frame exceeds the transport's unreliable limit
     * @throws ConnectionClosedException if the connection is closed
     */
    boolean sendUnreliable(byte[] frame) throws ConnectionClosedException;

    /** True until the connection starts closing. */
    boolean isOpen();

    /**
     * Closes gracefully: stops accepting new frames, delivers those already queued (waiting at
     * most {@link TransportOptions#closeTimeout()}), then closes. Returns without waiting for the
     * drain; {@link #closeFuture()} completes when it is done. Idempotent.
     */
    @Override
    void close();

    /**
     * Closes at once: queued frames are discarded and the peer is told the connection was reset,
     * where the transport can. The close cause is {@code cause} if it is a
     * {@link ConnectionClosedException}, otherwise {@link ConnectionClosedException.Reason#ABORTED}
     * wrapping it. Idempotent: the first close decides the cause.
     */
    void abort(Throwable cause);

    /**
     * Completes, never exceptionally, with the cause once the connection is closed, after the
     * handler's {@link ConnectionHandler#onClose} has returned.
     */
    CompletableFuture<ConnectionClosedException> closeFuture();

    /**
     * Attaches {@code value} to this connection, replacing any earlier one, so that a
     * {@link ConnectionHandler} finds its own state for the connection in {@code onFrame} without
     * a lookup: typically done once, in {@code onOpen}. Thread-safe; the transport never reads it.
     */
    void attach(Object value);

    /** What {@link #attach} stored last, or null. Thread-safe. */
    Object attachment();

    /** A snapshot of this connection's counters. */
    ConnectionStats stats();
}
