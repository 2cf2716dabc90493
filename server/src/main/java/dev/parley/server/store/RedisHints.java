package dev.parley.server.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>A conversation's hint that carries the changes an append posted (see {@link RedisScripts#APPEND}
 * for its format) is passed on as {@link StoreListener#changesPosted}, one with the cursor alone (a
 * join, a leave, an append too long to carry, or a node of an older version) as
 * {@link StoreListener#conversationChanged}. A hint that cannot be parsed is passed on as the latter,
 * with a warning the first time (debug after): it still says the feed changed.
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
    private final AtomicBoolean warnedMalformed = new AtomicBoolean();
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
                case "pmessage" -> changed(String.valueOf(message.get(2)), String.valueOf(message.get(3)));
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

    private void changed(String channel, String payload) {
        if (!channel.startsWith(CHANGED_PREFIX) || !channel.endsWith(CHANGED_SUFFIX)) {
            return;
        }
        long id = Long.parseLong(
                channel.substring(CHANGED_PREFIX.length(), channel.length() - CHANGED_SUFFIX.length()));
        Carried carried = parsed(id, payload);
        if (carried == null) {
            listeners.forEach(listener -> listener.conversationChanged(id));
        } else {
            listeners.forEach(listener -> listener.changesPosted(id, carried.after(), carried.changes()));
        }
    }

    /** What {@code payload} carries, or null for a hint only, or one that cannot be parsed (logged). */
    private Carried parsed(long conversationId, String payload) {
        try {
            return carried(conversationId, payload);
        } catch (IllegalArgumentException malformed) {
            if (warnedMalformed.compareAndSet(false, true)) {
                log.warn("hints: cannot parse a hint of conversation {} ({}); taking it as a hint only, as any"
                        + " such hint from now on (logged at debug)", conversationId, malformed.getMessage());
            } else {
                log.debug("hints: cannot parse a hint of conversation {}: {}", conversationId, malformed.getMessage());
            }
            return null;
        }
    }

    /** The changes a hint of {@link RedisScripts#APPEND} carries: {@code changes} right after cursor {@code after}. */
    record Carried(long after, List<Change.Posted> changes) {
    }

    /**
     * Parses {@code payload}, a hint published on conversation {@code conversationId}'s channel, in
     * the format {@link RedisScripts#APPEND} describes. Lengths there count bytes, so it is parsed as
     * the UTF-8 it came as: Redis has the bytes Java sent, {@link RedisConnection} decoded them, and
     * encoding a string Java decoded from valid UTF-8 gives those bytes back.
     *
     * @return null for a hint with the cursor alone
     * @throws IllegalArgumentException if it is neither
     */
    static Carried carried(long conversationId, String payload) {
        if (!payload.startsWith("P")) {
            parseLong(payload);
            return null;
        }
        var reader = new HintReader(payload.getBytes(StandardCharsets.UTF_8));
        reader.expect('P');
        long after = reader.number(';');
        List<Change.Posted> changes = new ArrayList<>();
        long expected = after + 1;
        do {
            long cursor = reader.number(',');
            if (cursor != expected) {
                throw new IllegalArgumentException("cursor " + cursor + " where " + expected + " was due");
            }
            long sequence = reader.number(',');
            long timestamp = reader.number(',');
            long clientId = reader.number(',');
            String sender = reader.string(',');
            String text = reader.string(';');
            changes.add(new Change.Posted(cursor,
                    new StoredMessage(conversationId, sequence, timestamp, sender, clientId, text)));
            expected++;
        } while (!reader.atEnd());
        return new Carried(after, changes);
    }

    private static long parseLong(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + abbreviate(digits));
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? '"' + text + '"' : '"' + text.substring(0, 40) + "\"...";
    }

    /** Reads the fields of a carrying hint from its bytes, each followed by the separator expected. */
    private static final class HintReader {

        private final byte[] bytes;
        private int at;

        HintReader(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean atEnd() {
            return at == bytes.length;
        }

        void expect(char separator) {
            if (at >= bytes.length || bytes[at] != separator) {
                throw new IllegalArgumentException("'" + separator + "' expected at byte " + at);
            }
            at++;
        }

        /** A decimal number (ASCII, maybe negative) up to {@code separator}, which it consumes. */
        long number(char separator) {
            int start = at;
            while (at < bytes.length && bytes[at] != separator) {
                at++;
            }
            if (at == bytes.length) {
                throw new IllegalArgumentException("'" + separator + "' expected after byte " + start);
            }
            long value = parseLong(new String(bytes, start, at - start, StandardCharsets.US_ASCII));
            at++;
            return value;
        }

        /** A string as {@code length:bytes}, then {@code separator}. */
        String string(char separator) {
            long length = number(':');
            if (length < 0 || length > bytes.length - at) {
                throw new IllegalArgumentException("a string of " + length + " bytes at byte " + at + " of "
                        + bytes.length);
            }
            String value = new String(bytes, at, (int) length, StandardCharsets.UTF_8);
            at += (int) length;
            expect(separator);
            return value;
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
