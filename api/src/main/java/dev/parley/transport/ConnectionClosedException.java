package dev.parley.transport;

import java.io.IOException;
import java.util.Objects;

/**
 * Why a connection is closed, as a typed {@link Reason} plus a message in words.
 *
 * <p>Thrown by sends on a closed connection, passed to
 * {@link ConnectionHandler#onClose}, and the value of {@link Connection#closeFuture()}.
 */
public class ConnectionClosedException extends IOException {

    /** The kinds of end a connection can come to. */
    public enum Reason {
        /** This side called {@code close()}. */
        CLOSED_LOCALLY,
        /** The peer closed gracefully. */
        CLOSED_BY_PEER,
        /** The peer reset or aborted the connection, or the stream ended mid-frame. */
        RESET_BY_PEER,
        /** Nothing arrived for longer than the idle timeout. */
        IDLE_TIMEOUT,
        /** The peer stopped acknowledging (retransmissions exhausted, probes unanswered). */
        PEER_UNRESPONSIVE,
        /** The peer sent bytes that break the protocol: a corrupt or oversized frame, an unknown class. */
        PROTOCOL_ERROR,
        /** A connection handler threw. */
        HANDLER_FAILED,
        /** The peer could not keep up: its outbound queue stayed full. */
        SLOW_CONSUMER,
        /**
         * The peer announced a long frame when its listener had no memory left for frames under
         * way ({@link TransportOptions#maxUnfinishedFrameBytes()}).
         */
        OVERLOADED,
        /** This side aborted the connection. */
        ABORTED,
        /** The listener or transport that owns the connection shut down. */
        SHUTDOWN,
        /** The operating system reported an I/O error. */
        IO_ERROR
    }

    private final Reason reason;

    public ConnectionClosedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ConnectionClosedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * A new exception with this one's reason and message and this one as its cause, for throwing
     * on the calling thread. A connection records its close cause once and refuses every later
     * send with it, on many threads: each gets an exception of its own, whose stack trace says
     * where that thread was, while the cause says where and why the connection closed.
     */
    public ConnectionClosedException forThisThread() {
        return new ConnectionClosedException(reason, super.getMessage(), this);
    }

    /** The kind of end, for code that reacts differently to each. */
    public Reason reason() {
        return reason;
    }

    /**
     * True for the ends that were asked for and drained what was queued: a graceful close by
     * either side, or by the listener shutting down.
     */
    public boolean isGraceful() {
        return reason == Reason.CLOSED_LOCALLY || reason == Reason.CLOSED_BY_PEER || reason == Reason.SHUTDOWN;
    }

    @Override
    public String getMessage() {
        return reason + ": " + super.getMessage();
    }
}
