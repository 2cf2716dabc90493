package dev.parley.transport;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * A bound server socket (or its equivalent) accepting connections for one {@link Transport}.
 *
 * <p>Its lifecycle is an executor's (as the JDK's {@code HttpClient} and {@code ExecutorService}):
 * <ul>
 * <li>{@link #shutdown()} stops accepting, so connects are refused from then on, and starts a
 *     graceful close of every accepted connection ({@link ConnectionClosedException.Reason#SHUTDOWN}):
 *     frames already sent are still written, frames under way are still delivered, and each peer
 *     sees a graceful end. It does not wait.
 * <li>{@link #shutdownNow()} stops accepting and aborts every accepted connection at once
 *     (each peer sees a reset; what is queued is discarded). It does not wait either, and may
 *     follow {@code shutdown()} to cut it short.
 * <li>The listener is <em>terminated</em> once shut down, every accepted connection closed (its
 *     handler's {@code onClose} has run) and its sockets and threads released:
 *     {@link #awaitTermination} waits for that, {@link #isTerminated()} tells.
 * <li>{@link #close()} is {@code shutdown()} then waiting for termination, never longer than
 *     twice {@link TransportOptions#closeTimeout()}: connections still open after one close
 *     timeout are aborted. Called from a handler of one of its own connections, it only shuts
 *     down, since that connection cannot finish before the handler returns.
 * </ul>
 * A connection's own graceful close is bounded by the close timeout too, after which it resets.
 * Every method is idempotent and thread-safe.
 */
public interface Listener extends AutoCloseable {

    /** The address actually bound; with port 0 requested, this names the port chosen. */
    SocketAddress localAddress();

    /** How many accepted connections are open right now (closing ones included). */
    int connectionCount();

    /** Stops accepting and starts closing every accepted connection gracefully; does not wait. */
    void shutdown();

    /** Stops accepting and aborts every accepted connection; does not wait. */
    void shutdownNow();

    /**
     * Waits until the listener is terminated, at most {@code timeout}.
     *
     * @return true if it is terminated, false if the timeout passed first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** True once shut down, every accepted connection closed and the listener's resources released. */
    boolean isTerminated();

    /** Shuts down gracefully and waits for termination; see the class comment for its bounds. */
    @Override
    void close();
}
