package dev.parley.server.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hints of a {@link RedisStore}: a connection of its own subscribed to the channels its scripts
 * publish on, passing what comes to {@link StoreListener}s, on a thread of its own
 * ({@code parley-redis-hints}), started with the first listener. Pub/sub is only a hint: when the
 * connection is lost, it reconnects (waiting {@link RedisOptions#minReconnectDelay()}, doubling
 * up to {@link RedisOptions#maxReconnectDelay()}), subscribes again and then tells every listener
 * {@linkplain StoreListener#hintsMayHaveBeenLost() hints may have been lost}, so that nodes read
 * from their cursors what was published while it was away. It does so after the first subscription
 * too, for what was published before it took effect. When Redis is quiet for a command timeout it
 * sends PING, and counts the connection lost if the next timeout passes without a word.
 *
 * <p>Thread-safe.
 */
final class RedisHints implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisHints.class);

    static final String CREATED_CHANNEL = "parley:{conversations}:created";
    private static final String CHANGED_PATTERN = "parley:{c:*}:changed";
    private static final String CHANGED_PREFIX = "parley:{c:";
    private static final String CHANGED_SUFFIX = "}:changed";

    private final RedisAddress address;
    private final RedisOptions options;
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changedState = lock.newCondition();
    // Guarded by lock.
    private Thread thread;
    private RedisConnection connection;
    private boolean subscribed;
    private boolean closed;

    RedisHints(RedisAddress address, RedisOptions options) {
        this.address = address;
        this.options = options;
    }

    /** The channel on which changes of conversation {@code conversationId} are published. */
    static String changedChannel(long conversationId) {
        return CHANGED_PREFIX + conversationId + CHANGED_SUFFIX;
    }

    /**
     * Passes hints to {@code listener} until the handle is closed; starts the thread if need be, and
     * waits (at most a connect and a command timeout) until the subscription is in effect, so that
     * what is published after it returns is hinted unless the connection fails.
     */
    SharedStore.Subscription subscribe(StoreListener listener) {
        listeners.add(listener);
        lock.lock();
        try {
            if (thread == null && !closed) {
                thread = Thread.ofPlatform().daemon().name("parley-redis-hints").start(this::run);
            }
            long wait = options.connectTimeout().plus(options.commandTimeout()).toNanos();
            while (!subscribed && !closed && wait > 0) {
                wait = changedState.awaitNanos(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return () -> listeners.remove(listener);
    }

    /** Stops the thread and closes its connection. Idempotent. */
    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            closed = true;
            running = thread;
            if (connection != null) {
                connection.close();
            }
            changedState.signalAll();
        } finally {
            lock.unlock();
        }
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(options.commandTimeout().toMillis() + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** On the hints thread: connects, listens, and after a loss waits its backoff and does it again. */
    private void run() {
        long delayNanos = 0;
        while (true) {
            RedisConnection redis;
            try {
                redis = RedisConnection.open(address, options);
            } catch (IOException e) {
                delayNanos = nextDelay(delayNanos);
                log.debug("hints: cannot reach Redis at {}: {}", address, e.getMessage());
                if (!waitBeforeRetry(delayNanos)) {
                    return;
                }
                continue;
            }
            lock.lock();
            try {
                if (closed) {
                    redis.close();
                    return;
                }
                connection = redis;
            } finally {
                lock.unlock();
            }
            try {
                redis.send(List.of("PSUBSCRIBE", CHANGED_PATTERN));
                redis.send(List.of("SUBSCRIBE", CREATED_CHANNEL, RedisNodeScripts.PRESENCE_CHANNEL));
                delayNanos = 0;
                listen(redis);
            } catch (IOException | RuntimeException e) {
                if (isClosed()) {
                    return;
                }
                log.warn("hints: lost Redis at {}: {}; subscribing again", address, e.getMessage());
            } finally {
                redis.close();
            }
            delayNanos = nextDelay(delayNanos);
            if (!waitBeforeRetry(delayNanos)) {
                return;
            }
        }
    }

    /** Passes on what comes until the connection fails (then throws). */
    private void listen(RedisConnection redis) throws IOException {
        int confirmations = 0;
        boolean pinged = false;
        // Ends when the connection fails or is closed.
        while (true) {
            Object pushed;
            try {
                pushed = redis.receive();
            } catch (SocketTimeoutException quiet) {
                if (pinged) {
                    throw new IOException("no answer to PING within " + options.commandTimeout());
                }
                redis.send(List.of("PING"));
                pinged = true;
                continue;
            }
            pinged = false;
            if (pushed instanceof RedisConnection.Failure failure) {
                // A refused subscription (an ACL without the channels) would otherwise leave hints silent for good.
                throw new IOException("Redis refused a subscription: " + failure.message());
            }
            if (!(pushed instanceof List<?> message) || message.isEmpty()) {
                continue;
            }
            switch (String.valueOf(message.getFirst())) {
                case "pmessage" -> changed(String.valueOf(message.get(2)));
                case "message" -> {
                    if (CREATED_CHANNEL.equals(message.get(1))) {
                        long id = Long.parseLong(String.valueOf(message.get(2)));
                        listeners.forEach(listener -> listener.conversationCreated(id));
                    } else {
                        listeners.forEach(StoreListener::presenceChanged);
                    }
                }
                case "subscribe", "psubscribe" -> {
                    if (++confirmations == 3) {
                        setSubscribed(true);
                        listeners.forEach(StoreListener::hintsMayHaveBeenLost);
                    }
                }
                default -> {
                    // A PING's pong: the connection is alive.
                }
            }
        }
    }

    private void changed(String channel) {
        if (channel.startsWith(CHANGED_PREFIX) && channel.endsWith(CHANGED_SUFFIX)) {
            long id = Long.parseLong(channel.substring(CHANGED_PREFIX.length(),
                    channel.length() - CHANGED_SUFFIX.length()));
            listeners.forEach(listener -> listener.conversationChanged(id));
        }
    }

    private long nextDelay(long delayNanos) {
        long min = options.minReconnectDelay().toNanos();
        return delayNanos == 0 ? min : Math.min(options.maxReconnectDelay().toNanos(), delayNanos * 2);
    }

    private void setSubscribed(boolean now) {
        lock.lock();
        try {
            subscribed = now;
            changedState.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code delayNanos} or until closed; false if closed. */
    private boolean waitBeforeRetry(long delayNanos) {
        lock.lock();
        try {
            connection = null;
            subscribed = false;
            long wait = delayNanos;
            while (!closed && wait > 0) {
                wait = changedState.awaitNanos(wait);
            }
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }
}
