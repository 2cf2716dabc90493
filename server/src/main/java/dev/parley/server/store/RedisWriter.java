package dev.parley.server.store;

import dev.parley.server.store.RedisConnection.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection of a {@link RedisStore} and the writer thread ({@code parley-redis-writer-N})
 * that owns it: operations gather in a {@link BatchWriter} queue and go as one pipeline, the
 * appends to one conversation between two other operations as one script call. Losing the
 * connection fails the batch under way and every batch until it is back; it is opened again when
 * work comes, after a delay that doubles with each failed attempt.
 *
 * <p><b>Fencing.</b> A connection given up on (its reply did not come within the command timeout)
 * may still be open at Redis, its commands held somewhere on the way: a partition that heals, TCP
 * retransmission. Redis would run them when they arrive, after what the next connection sent, so a
 * refused append could be stored after messages sent later. The next connection therefore first
 * closes the abandoned one at Redis ({@code CLIENT KILL ID .. ADDR ..}, in the pipeline that loads
 * the scripts): whatever the abandoned connection still carries either ran before, or never runs.
 * A Redis that refuses {@code CLIENT INFO} or {@code CLIENT KILL} (an ACL without them) is used
 * unfenced, with a warning.
 *
 * <p>Any thread may {@link #submit}; stages complete on the writer thread.
 */
final class RedisWriter {

    private static final Logger log = LoggerFactory.getLogger(RedisWriter.class);

    /** Turns the replies to an operation's commands into its result. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(List<Object> replies) throws StoreException;
    }

    /**
     * An operation for the writer: its commands, sent together, and what to make of their replies;
     * or, for an append, the message ({@code append}), sent with the batch's other appends to its
     * conversation in one script call.
     */
    record Operation<T>(List<List<Object>> commands, Parser<T> parser, Append append,
                                CompletableFuture<T> result) {
    }

    /** A message to append. */
    record Append(long conversationId, String sender, long clientMessageId, String text) {
    }

    /** Commands of one pipeline that serve {@code operations}: one operation's own, or one script call of appends. */
    private record Unit(List<Operation<?>> operations, List<List<Object>> commands) {

        boolean isAppends() {
            return operations.getFirst().append() != null;
        }
    }

    private final RedisAddress address;
    private final RedisOptions redisOptions;
    private final StoreOptions options;
    private final AtomicLong pipelines;
    private final BatchWriter<Operation<?>> batches;

    // Used by the writer thread alone (and by the constructor, before it starts).
    private RedisConnection connection;
    /** Who Redis says {@link #connection} is; null if it would not say. */
    private Client client;
    /** The last connection given up on, to be closed at Redis by the next one; null if none. */
    private Client abandoned;
    private long reconnectDelayNanos;
    private long nextAttemptNanos;
    private String lastFailure;

    /**
     * A writer whose connection is opened now, on the calling thread; it counts its pipelines in
     * {@code pipelines}.
     *
     * @throws IOException if Redis cannot be reached, or refuses the password, the database or the scripts
     */
    RedisWriter(String name, RedisAddress address, RedisOptions redisOptions, StoreOptions options,
                AtomicLong pipelines) throws IOException {
        this.address = address;
        this.redisOptions = redisOptions;
        this.options = options;
        this.pipelines = pipelines;
        this.connection = open();
        this.batches = new BatchWriter<>(name, options.maxBatchSize(), batch -> run(batch, true), this::disconnect);
    }

    /** Queues {@code operation}; its stage fails if this writer is closed. */
    <T> CompletableFuture<T> submit(Operation<T> operation) {
        if (!batches.offer(operation)) {
            return CompletableFuture.failedFuture(new StoreException("store " + address + " is closed"));
        }
        return operation.result();
    }

    /** Runs what was queued, then closes the connection. */
    void close() {
        batches.close();
    }

    /**
     * Opens a connection, loads the scripts, learns who Redis says the connection is, and closes
     * the {@link #abandoned} one at Redis, in one pipeline, before anything else goes on it.
     */
    private RedisConnection open() throws IOException {
        RedisConnection opened = RedisConnection.open(address, redisOptions);
        try {
            List<List<Object>> commands = new ArrayList<>();
            for (RedisScripts.Script script : RedisScripts.ALL) {
                commands.add(List.of("SCRIPT", "LOAD", script.source()));
            }
            commands.add(List.of("CLIENT", "INFO"));
            if (abandoned != null) {
                commands.add(List.of("CLIENT", "KILL", "ID", abandoned.id(), "ADDR", abandoned.address()));
            }
            List<Object> replies = opened.pipeline(commands);
            for (Object reply : replies.subList(0, RedisScripts.ALL.size())) {
                if (reply instanceof Failure failure) {
                    throw new IOException("Redis refused our scripts: " + failure.message());
                }
            }
            client = Client.parse(replies.get(RedisScripts.ALL.size()));
            if (client == null) {
                log.warn("Redis at {} does not say who a connection is (CLIENT INFO: {}): a command held in the "
                        + "network when a connection is given up on may run after later ones", address,
                        replies.get(RedisScripts.ALL.size()));
            }
            if (abandoned != null && replies.getLast() instanceof Failure failure) {
                log.warn("Redis at {} refused to close the connection given up on ({}): a command it still "
                        + "carries may run after later ones", address, failure.message());
            }
            abandoned = null;
            return opened;
        } catch (IOException e) {
            opened.close();
            throw e;
        }
    }

    static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    static String key(long conversationId, String part) {
        return "parley:{c:" + conversationId + "}:" + part;
    }

    static List<Object> script(RedisScripts.Script script, List<String> keys, List<?> arguments) {
        List<Object> command = new ArrayList<>(3 + keys.size() + arguments.size());
        command.add("EVALSHA");
        command.add(script.sha());
        command.add(keys.size());
        command.addAll(keys);
        command.addAll(arguments);
        return command;
    }

    /** On the writer thread, stopping: closes the connection. */
    private void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
            abandoned = client;
            client = null;
        }
    }

    /** On the writer thread: sends {@code batch} as one pipeline and completes each operation from its replies. */
    private void run(List<Operation<?>> batch, boolean mayReloadScripts) {
        RedisConnection redis;
        try {
            redis = connection();
        } catch (StoreException unavailable) {
            batch.forEach(operation -> operation.result().completeExceptionally(unavailable));
            return;
        }
        List<Unit> units = units(batch);
        List<List<Object>> commands = new ArrayList<>();
        units.forEach(unit -> commands.addAll(unit.commands()));
        List<Object> replies;
        try {
            replies = redis.pipeline(commands);
            pipelines.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            lost(e);
            var failure = new StoreException("store unavailable: lost Redis at " + address + ": " + lastFailure, e);
            batch.forEach(operation -> operation.result().completeExceptionally(failure));
            return;
        }
        List<Operation<?>> again = new ArrayList<>();
        int next = 0;
        for (Unit unit : units) {
            List<Object> own = replies.subList(next, next + unit.commands().size());
            next += unit.commands().size();
            if (mayReloadScripts && own.stream().anyMatch(r -> r instanceof Failure f && f.isNoScript())) {
                again.addAll(unit.operations());
            } else if (unit.isAppends()) {
                completeAppends(unit.operations(), own.getFirst());
            } else {
                complete(unit.operations().getFirst(), own);
            }
        }
        if (!again.isEmpty()) {
            // Redis lost our scripts (a restart without them, SCRIPT FLUSH, a failover): load them and retry once.
            log.info("Redis at {} had forgotten the store's scripts; loading them again", address);
            disconnect();
            run(again, false);
        }
    }

    /**
     * The batch as pipeline units, in queue order, except that the appends between two other
     * operations go as one script call per conversation (in their order within it), before the
     * operation that follows them.
     */
    private List<Unit> units(List<Operation<?>> batch) {
        List<Unit> units = new ArrayList<>();
        Map<Long, List<Operation<?>>> appends = new LinkedHashMap<>();
        for (Operation<?> operation : batch) {
            if (operation.append() != null) {
                appends.computeIfAbsent(operation.append().conversationId(), id -> new ArrayList<>()).add(operation);
            } else {
                addAppends(appends, units);
                units.add(new Unit(List.of(operation), operation.commands()));
            }
        }
        addAppends(appends, units);
        return units;
    }

    private void addAppends(Map<Long, List<Operation<?>>> appends, List<Unit> units) {
        appends.forEach((id, operations) -> {
            List<Object> arguments = new ArrayList<>(3 + 3 * operations.size());
            arguments.add(options.retainedMessages());
            arguments.add(RedisHints.changedChannel(id));
            arguments.add(redisOptions.maxCarriedBytes());
            for (Operation<?> operation : operations) {
                arguments.add(operation.append().sender());
                arguments.add(operation.append().clientMessageId());
                arguments.add(operation.append().text());
            }
            units.add(new Unit(List.copyOf(operations), List.of(script(RedisScripts.APPEND,
                    List.of(key(id, "meta"), key(id, "log"), key(id, "dedupe"), key(id, "feed")), arguments))));
        });
        appends.clear();
    }

    /** Completes each append of one script call from its triple {duplicate, sequence, timestamp} in {@code reply}. */
    @SuppressWarnings("unchecked")
    private static void completeAppends(List<Operation<?>> operations, Object reply) {
        long conversationId = operations.getFirst().append().conversationId();
        StoreException refusal = null;
        if (reply instanceof Failure failure) {
            refusal = new StoreException("Redis refused: " + failure.message());
        } else if (reply == null) {
            refusal = new StoreException("unknown conversation " + conversationId);
        }
        List<?> triples = refusal == null ? (List<?>) reply : List.of();
        for (int i = 0; i < operations.size(); i++) {
            var result = (CompletableFuture<Appended>) operations.get(i).result();
            if (refusal != null) {
                result.completeExceptionally(refusal);
                continue;
            }
            Append append = operations.get(i).append();
            var message = new StoredMessage(conversationId, (Long) triples.get(3 * i + 1), (Long) triples.get(3 * i + 2),
                    append.sender(), append.clientMessageId(), append.text());
            result.complete(new Appended(message, (Long) triples.get(3 * i) == 1));
        }
    }

    private static <T> void complete(Operation<T> operation, List<Object> replies) {
        try {
            operation.result().complete(operation.parser().parse(replies));
        } catch (StoreException | RuntimeException e) {
            operation.result().completeExceptionally(e);
        }
    }

    /** The connection, reconnecting (and loading the scripts) if it was lost and the backoff has passed. */
    private RedisConnection connection() throws StoreException {
        if (connection != null) {
            return connection;
        }
        long now = System.nanoTime();
        if (now - nextAttemptNanos < 0) {
            throw new StoreException("store unavailable: cannot reach Redis at " + address + " (" + lastFailure
                    + "); trying again shortly");
        }
        try {
            connection = open();
            reconnectDelayNanos = 0;
            log.info("reconnected to Redis at {}", address);
            return connection;
        } catch (IOException e) {
            backOff(describe(e));
            throw new StoreException("store unavailable: cannot reach Redis at " + address + ": " + lastFailure, e);
        }
    }

    /** On the writer thread: drops the connection after {@code failure}. */
    private void lost(Exception failure) {
        disconnect();
        String why = failure instanceof IOException io ? describe(io) : failure.toString();
        log.warn("lost Redis at {}: {}; refusing writes until it answers again", address, why);
        reconnectDelayNanos = 0;
        backOff(why);
    }

    private void backOff(String why) {
        lastFailure = why;
        long min = redisOptions.minReconnectDelay().toNanos();
        long max = redisOptions.maxReconnectDelay().toNanos();
        reconnectDelayNanos = reconnectDelayNanos == 0 ? min : Math.min(max, reconnectDelayNanos * 2);
        nextAttemptNanos = System.nanoTime() + reconnectDelayNanos;
    }

    /** A connection as Redis knows it: its client id and the address it comes from. */
    record Client(long id, String address) {

        /** The client in a {@code CLIENT INFO} reply ({@code id=7 addr=127.0.0.1:51234 ...}); null if it names none. */
        static Client parse(Object info) {
            if (!(info instanceof String line)) {
                return null;
            }
            String id = null;
            String address = null;
            for (String field : line.strip().split(" ")) {
                if (field.startsWith("id=")) {
                    id = field.substring(3);
                } else if (field.startsWith("addr=")) {
                    address = field.substring(5);
                }
            }
            try {
                return id == null || address == null ? null : new Client(Long.parseLong(id), address);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
