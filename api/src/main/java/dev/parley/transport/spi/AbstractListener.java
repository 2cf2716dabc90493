package dev.parley.transport.spi;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.Listener;
import dev.parley.transport.TransportOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lifecycle every {@link Listener} shares, so that all transports shut down alike: running,
 * then shut down (accepting nothing, its connections closing), then terminated (every connection
 * closed and the listener's sockets and threads released). A transport writes only how to stop
 * accepting and how to release what it holds.
 *
 * <p>A subclass must: hand every connection it accepts to {@link #track} (a connection tracked
 * after the shutdown began is closed at once, like the others, so accepting needs no lock shared
 * with closing); refuse new connections once {@link #stopAccepting} has run; and free its sockets
 * and threads in {@link #release}, which runs once, when the last tracked connection has closed.
 *
 * <p>Thread-safe: any thread may call the lifecycle methods, any number of times.
 */
public abstract class AbstractListener implements Listener {

    private static final Logger log = LoggerFactory.getLogger(AbstractListener.class);

    private enum State { RUNNING, SHUTDOWN, TERMINATED }

    private final TransportOptions options;
    /**
     * Guards {@link #state}, {@link #aborting}, {@link #stopped}, and adding to {@link #connections}
     * against the decision to terminate; never held while calling out.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<AbstractConnection> connections = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private State state = State.RUNNING;
    /** Whether {@link #shutdownNow} was called: connections are aborted rather than closed gracefully. */
    private boolean aborting;
    /** Whether {@link #stopAccepting} has returned: until then a new connection may still be tracked. */
    private boolean stopped;

    protected AbstractListener(TransportOptions options) {
        this.options = options;
    }

    /**
     * Stops accepting new connections: once this returns, connects are refused. Called once, on
     * the thread that shuts the listener down, before its connections are closed; must not wait
     * for them.
     */
    protected abstract void stopAccepting();

    /** Frees the listener's sockets and threads. Called once, on whichever thread closed the last connection. */
    protected abstract void release();

    /**
     * Counts {@code connection} as the listener's until its close completes, then runs
     * {@code onClosed} (a permit given back, say) before it stops counting. A connection
     * tracked once the listener is shutting down is closed at once as the others were.
     */
    protected final void track(AbstractConnection connection, Runnable onClosed) {
        boolean shuttingDown;
        boolean abort;
        lock.lock();
        try {
            connections.add(connection);
            shuttingDown = state != State.RUNNING;
            abort = aborting;
        } finally {
            lock.unlock();
        }
        connection.closeFuture().whenComplete((cause, e) -> {
            try {
                onClosed.run();
            } finally {
                connections.remove(connection);
                terminateIfDone();
            }
        });
        if (shuttingDown) {
            closeOne(connection, abort);
        }
    }

    /** True once {@link #shutdown}, {@link #shutdownNow} or {@link #close} was called. */
    protected final boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final int connectionCount() {
        return connections.size();
    }

    @Override
    public final void shutdown() {
        if (beginShutdown(false)) {
            closeAll(false);
            finishShutdown();
        }
    }

    @Override
    public final void shutdownNow() {
        boolean first = beginShutdown(true);
        closeAll(true);
        if (first) {
            finishShutdown();
        }
    }

    @Override
    public final boolean isTerminated() {
        return terminated.isDone();
    }

    @Override
    public final boolean awaitTermination(Duration timeout) throws InterruptedException {
        try {
            terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("termination cannot fail", e);
        }
    }

    /**
     * Shuts down gracefully and waits for termination, at most the close timeout; connections
     * still open then are aborted ({@link #shutdownNow}) and waited for as long again. Never waits
     * for the connection whose handler calls it, which cannot finish before the handler returns:
     * called from a handler, it only shuts down. Interrupted, it aborts what is left and returns
     * with the interrupt status set.
     */
    @Override
    public final void close() {
        shutdown();
        if (connections.stream().anyMatch(AbstractConnection::isDeliveringOnCurrentThread)) {
            return;
        }
        Duration timeout = options.closeTimeout();
        try {
            if (awaitTermination(timeout)) {
                return;
            }
            shutdownNow();
            if (!awaitTermination(timeout)) {
                log.warn("listener {}: {} connections had not finished {} after an abort (a handler still running?)",
                        localAddress(), connections.size(), timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdownNow();
        }
    }

    /** Moves to SHUTDOWN (and records an abort if {@code now}); true if this call began the shutdown. */
    private boolean beginShutdown(boolean now) {
        lock.lock();
        try {
            aborting |= now;
            if (state != State.RUNNING) {
                return false;
            }
            state = State.SHUTDOWN;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void finishShutdown() {
        try {
            stopAccepting();
        } finally {
            lock.lock();
            try {
                stopped = true;
            } finally {
                lock.unlock();
            }
            terminateIfDone();
        }
    }

    private void closeAll(boolean abort) {
        for (AbstractConnection connection : List.copyOf(connections)) {
            closeOne(connection, abort);
        }
    }

    private void closeOne(AbstractConnection connection, boolean abort) {
        if (abort) {
            connection.fail(new ConnectionClosedException(Reason.ABORTED, "listener " + localAddress() + " shut down now"));
        } else {
            connection.closeGracefully(new ConnectionClosedException(Reason.SHUTDOWN, "listener " + localAddress() + " closed"));
        }
    }

    /** Terminates, once, when shut down, no longer accepting and every connection closed. */
    private void terminateIfDone() {
        lock.lock();
        try {
            if (state != State.SHUTDOWN || !stopped || !connections.isEmpty()) {
                return;
            }
            state = State.TERMINATED;
        } finally {
            lock.unlock();
        }
        try {
            release();
        } finally {
            terminated.complete(null);
        }
    }
}
