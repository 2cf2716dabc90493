package dev.parley.server.store;

import dev.parley.server.store.RedisConnection.Failure;
import dev.parley.server.store.RedisWriter.Append;
import dev.parley.server.store.RedisWriter.Operation;
import dev.parley.server.store.RedisWriter.Parser;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import static dev.parley.server.store.RedisWriter.key;
import static dev.parley.server.store.RedisWriter.script;

/**
 * A {@link SharedStore} in Redis (or Valkey): one server's store, or several nodes' at once. What is
 * durable is what Redis made durable: run it with {@code appendonly yes} and
 * {@code appendfsync always} (see OPERATIONS.md).
 *
 * <p><b>Layout.</b> Every key of conversation ID carries the hash tag {@code {c:ID}}, and the keys
 * of all conversations the tag {@code {conversations}}, so that a Redis Cluster keeps each group in
 * one slot and each script below runs there unchanged (leases and presence: {@link RedisNodeScripts});
 * a user's index of conversations is one key, in its own slot:
 * <pre>
 *   parley:{conversations}:next      counter of conversation ids (INCR; never given twice)
 *   parley:{conversations}:ids       sorted set of the ids of live conversations (the created feed)
 *   parley:{conversations}:creating  hash: id to when its creation began, until its keys exist
 *   parley:{conversations}:created   pub/sub channel: the id of each new conversation (a hint)
 *   parley:{c:ID}:meta         hash: last (last sequence number), joins (join counter), cursor (the
 *                              feed's last cursor), creator
 *   parley:{c:ID}:members      sorted set: user by join order
 *   parley:{c:ID}:invited      set of users
 *   parley:{c:ID}:invitees     list: the invited as given to create, for the created feed
 *   parley:{c:ID}:log          stream: one entry per message, id SEQUENCE-0, fields ts s c t
 *   parley:{c:ID}:dedupe       hash: "CLIENTID:SENDER" to sequence, for the messages kept
 *   parley:{c:ID}:feed         stream: one entry per change, id CURSOR-0, fields k (J, L, P) v (user, sequence)
 *   parley:{c:ID}:changed      pub/sub channel: a hint of each change: the cursor, or an append's
 *                              posted messages (see {@link RedisScripts#APPEND})
 *   parley:{u:USER}:conversations  set: ids of the conversations USER is in, and maybe some they are not
 *   parley:{conversations}:indexed  set (to 1) once every user's index lists their conversations
 * </pre>
 * A user's index cannot change in the script that changes a conversation's members (another slot),
 * so it is kept a superset: the SADD goes before the create or join script in the same pipeline, the
 * SREM after the leave script; {@link SharedStore#conversationsOf} confirms each listed conversation
 * against its members and unlists those that ended ({@link RedisFeeds}). Conversations stored before
 * the indexes existed are indexed once, by the first node that opens the store ({@link #open}).
 * An append is one script ({@link RedisScripts#APPEND}): existence check, dedupe, next number,
 * XADD to the log and the feed, retention trim and PUBLISH at once, so a conversation's order is
 * Redis's order whichever node the senders are on; joins and leaves record their change in the
 * same way. Messages are stamped with Redis's clock. Hints come through {@link RedisHints}; an
 * append's hint carries the messages it posted (up to {@link RedisOptions#maxCarriedBytes()}), so
 * that nodes need not read the feed for them.
 *
 * <p><b>Batching.</b> Operations go to {@link RedisOptions#connections()} writers
 * ({@link RedisWriter}), each a connection and a thread ({@code parley-redis-writer-N}) that sends
 * what has gathered in its queue (at most {@link StoreOptions#maxBatchSize()} operations) as one
 * pipeline, as {@link SqliteStore} groups commits. A conversation's operations always go to the
 * same writer, so they keep their order; several connections let Redis serve several batches per
 * event loop, and so per fsync of its append-only file. What a node reads to follow the store
 * (feeds, snapshots, presence) goes through one more such connection and thread,
 * {@code parley-redis-reader}, so that it does not queue behind the writers' batches.
 *
 * <p><b>Losing Redis.</b> When a connection fails, the operations of its batch fail with a
 * {@link StoreException} saying the store is unavailable (an append among them may or may not
 * have been stored: a resend with the same client message id finds it), and so does every
 * operation until Redis answers again. What such an append did, it did before anything sent after
 * it: the next connection closes the lost one at Redis first (see {@link RedisWriter}). A writer reconnects when asked for work, waiting
 * {@link RedisOptions#minReconnectDelay()} after the loss and twice as long after each failed
 * attempt, up to {@link RedisOptions#maxReconnectDelay()}.
 *
 * <p>Thread-safe; stages complete on a writer thread, which chained work must not block.
 */
public final class RedisStore implements SharedStore {

    static final String CONVERSATION_COUNTER = "parley:{conversations}:next";
    static final String CONVERSATIONS = "parley:{conversations}:ids";
    static final String CREATING = "parley:{conversations}:creating";
    static final String INDEXED = "parley:{conversations}:indexed";
    /** The most commands one pipeline of the one-time indexing carries. */
    private static final int INDEXING_BATCH = 10_000;

    private final RedisAddress address;
    private final StoreOptions options;
    private final AtomicLong pipelines = new AtomicLong();
    /** Conversation ID's operations go to writer ID mod their number, so a conversation's keep their order. */
    private final List<RedisWriter> writers = new ArrayList<>();
    /**
     * The feeds, snapshots, created conversations, live nodes and presence a node reads: on a
     * connection of their own, so that a node following the store does not wait behind the
     * writers' batches (each waits for Redis's fsync).
     */
    private RedisWriter reader;
    private final RedisFeeds feeds = new RedisFeeds(this);
    private final RedisNodes nodes = new RedisNodes(this);
    private final RedisHints hints;

    private RedisStore(RedisAddress address, RedisOptions redisOptions, StoreOptions options) {
        this.address = address;
        this.options = options;
        this.hints = new RedisHints(address, redisOptions);
    }

    /**
     * Connects to Redis at {@code address}, with {@link RedisOptions#connections()} connections for
     * writes, one for a node's reads and, once subscribed, one for hints. If the store holds
     * conversations from before users' indexes existed, it indexes them first (see
     * {@link #indexMembersOnce()}).
     *
     * @throws StoreException saying so if Redis cannot be reached, or refuses the password or database
     */
    public static RedisStore open(RedisAddress address, RedisOptions redisOptions, StoreOptions options)
            throws StoreException {
        var store = new RedisStore(address, redisOptions, options);
        try {
            for (int i = 0; i < redisOptions.connections(); i++) {
                store.writers.add(new RedisWriter("parley-redis-writer-" + i, address, redisOptions, options,
                        store.pipelines));
            }
            store.reader = new RedisWriter("parley-redis-reader", address, redisOptions, options, store.pipelines);
            store.indexMembersOnce();
            return store;
        } catch (IOException e) {
            store.close();
            throw new StoreException("cannot reach Redis at " + address + ": " + RedisWriter.describe(e), e);
        } catch (StoreException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Adds each member of each conversation to their index, unless {@link #INDEXED} says that was
     * done: a store written before the indexes existed would otherwise never let a node follow its
     * conversations for their members. Adding is idempotent, so nodes starting together may all do
     * it; a member who leaves meanwhile may stay listed, which {@link #conversationsOf} allows for.
     * Nodes of a version without the indexes must not write the store afterwards.
     */
    private void indexMembersOnce() throws StoreException {
        if ((Long) read(List.of(List.of("EXISTS", INDEXED)), RedisStore::single) == 1) {
            return;
        }
        List<List<Object>> additions = new ArrayList<>();
        for (var conversation : conversations().entrySet()) {
            for (String member : conversation.getValue()) {
                additions.add(List.of("SADD", conversationsKey(member), conversation.getKey()));
            }
        }
        additions.add(List.of("SET", INDEXED, 1));
        for (int from = 0; from < additions.size(); from += INDEXING_BATCH) {
            List<List<Object>> batch = additions.subList(from, Math.min(additions.size(), from + INDEXING_BATCH));
            call(batch, replies -> {
                for (int i = 0; i < replies.size(); i++) {
                    reply(replies, i);
                }
                return null;
            });
        }
    }

    /** As {@link #open(RedisAddress, RedisOptions, StoreOptions)} with default Redis options. */
    public static RedisStore open(RedisAddress address, StoreOptions options) throws StoreException {
        return open(address, RedisOptions.defaults(), options);
    }

    /** Where this store keeps its data. */
    public RedisAddress address() {
        return address;
    }

    /** Pipelines sent to Redis since this store was opened: each is one round trip. */
    public long pipelines() {
        return pipelines.get();
    }

    @Override
    public long create(String creator, Collection<String> invited) throws StoreException {
        // Listed at once, so that conversations become visible in id order; the feed of created
        // conversations waits for it until its keys exist (see RedisFeeds#created).
        long id = await(submit(List.of(script(RedisScripts.ALLOCATE,
                List.of(CONVERSATION_COUNTER, CONVERSATIONS, CREATING), List.of())), replies -> (Long) single(replies)));
        List<Object> arguments = new ArrayList<>();
        arguments.add(creator);
        arguments.addAll(new LinkedHashSet<>(invited));
        await(submit(id, List.of(
                List.of("SADD", conversationsKey(creator), id),
                script(RedisScripts.CREATE, List.of(key(id, "meta"), key(id, "members"), key(id, "invited"),
                        key(id, "invitees")), arguments),
                List.of("HDEL", CREATING, id),
                List.of("PUBLISH", RedisHints.CREATED_CHANNEL, id)), replies -> {
            reply(replies, 0);
            reply(replies, 1);
            return null;
        }));
        return id;
    }

    @Override
    public void join(long conversationId, String user) throws StoreException {
        await(submit(conversationId, List.of(List.of("SADD", conversationsKey(user), conversationId),
                script(RedisScripts.JOIN, List.of(key(conversationId, "meta"), key(conversationId, "members"),
                        key(conversationId, "feed")), List.of(user, RedisHints.changedChannel(conversationId)))),
                replies -> {
                    reply(replies, 0);
                    return known(conversationId, replies.subList(1, 2));
                }));
    }

    @Override
    public boolean leave(long conversationId, String user) throws StoreException {
        List<String> keys = List.of(key(conversationId, "meta"), key(conversationId, "members"),
                key(conversationId, "invited"), key(conversationId, "log"), key(conversationId, "dedupe"),
                key(conversationId, "feed"), key(conversationId, "invitees"));
        boolean ended = await(submit(conversationId, List.of(script(RedisScripts.LEAVE, keys,
                        List.of(user, RedisHints.changedChannel(conversationId))),
                        List.of("SREM", conversationsKey(user), conversationId)),
                replies -> {
                    boolean last = (Long) known(conversationId, replies) == 1;
                    reply(replies, 1);
                    return last;
                }));
        if (ended) {
            await(submit(List.of(List.of("ZREM", CONVERSATIONS, conversationId)), RedisStore::single));
        }
        return ended;
    }

    @Override
    public boolean isInvited(long conversationId, String user) throws StoreException {
        return await(submit(conversationId, List.of(script(RedisScripts.IS_INVITED, List.of(key(conversationId, "meta"),
                key(conversationId, "invited")), List.of(user))), replies -> (Long) known(conversationId, replies) == 1));
    }

    @Override
    public Map<Long, List<String>> conversations() throws StoreException {
        List<Long> ids = await(submit(List.of(List.of("ZRANGE", CONVERSATIONS, 0, -1)),
                replies -> ((List<?>) single(replies)).stream().map(id -> Long.parseLong((String) id)).toList()));
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<List<Object>> reads = new ArrayList<>();
        for (long id : ids) {
            reads.add(List.of("ZRANGE", key(id, "members"), 0, -1));
        }
        return await(submit(reads, replies -> {
            Map<Long, List<String>> all = new LinkedHashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                if (replies.get(i) instanceof Failure failure) {
                    throw new StoreException("Redis refused to list members: " + failure.message());
                }
                List<String> members = ((List<?>) replies.get(i)).stream().map(String.class::cast).toList();
                if (!members.isEmpty()) { // else it ended after the ids were read
                    all.put(ids.get(i), members);
                }
            }
            return all;
        }));
    }

    @Override
    public CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String text) {
        return writer(conversationId).submit(new Operation<Appended>(List.of(), null,
                new Append(conversationId, sender, clientMessageId, text), new CompletableFuture<>()));
    }

    @Override
    public HistoryPage history(long conversationId, long from, Direction direction, int limit) throws StoreException {
        int size = Math.clamp(limit, 0, options.maxPageSize());
        // Stream ids are SEQUENCE-0 and sequences start at 1: clamp the bounds into that range.
        long bounded = Math.max(from, 0);
        List<Object> range = direction == Direction.NEWER
                ? List.of("XRANGE", Math.max(bounded, 1), "+")
                : List.of("XREVRANGE", bounded, "-");
        int count = direction == Direction.OLDER && bounded == 0 ? 0 : size;
        List<Object> arguments = new ArrayList<>(range);
        arguments.add(count);
        return await(submit(conversationId, List.of(script(RedisScripts.HISTORY, List.of(key(conversationId, "meta"),
                key(conversationId, "log")), arguments)), replies -> {
            List<?> reply = (List<?>) known(conversationId, replies);
            long last = (Long) reply.get(0);
            long kept = (Long) reply.get(1);
            List<StoredMessage> page = new ArrayList<>();
            for (Object entry : (List<?>) reply.get(2)) {
                page.add(message(conversationId, (List<?>) entry));
            }
            return new HistoryPage(direction == Direction.NEWER ? page : page.reversed(), last - kept + 1, last);
        }));
    }

    @Override
    public ChangePage changes(long conversationId, long after, int limit) throws StoreException {
        return feeds.changes(conversationId, after, Math.clamp(limit, 0, options.maxPageSize()));
    }

    /** As {@link SharedStore#changes(Map, int)}, in one pipeline. */
    @Override
    public Map<Long, ChangePage> changes(Map<Long, Long> after, int limit) throws StoreException {
        return after.isEmpty() ? Map.of() : feeds.changes(after, Math.clamp(limit, 0, options.maxPageSize()));
    }

    @Override
    public ChangePage created(long after, int limit) throws StoreException {
        return feeds.created(after, Math.clamp(limit, 0, options.maxPageSize()));
    }

    @Override
    public ConversationSnapshot snapshot(long conversationId) throws StoreException {
        return feeds.snapshot(conversationId);
    }

    @Override
    public Set<Long> conversationsOf(String user) throws StoreException {
        return feeds.conversationsOf(user);
    }

    @Override
    public Subscription subscribe(StoreListener listener) {
        return hints.subscribe(listener);
    }

    @Override
    public boolean renewLease(String nodeId, Duration lease) throws StoreException {
        return nodes.renewLease(nodeId, lease);
    }

    @Override
    public void releaseLease(String nodeId) throws StoreException {
        nodes.releaseLease(nodeId);
    }

    @Override
    public Set<String> liveNodes() throws StoreException {
        return nodes.liveNodes();
    }

    @Override
    public Optional<Presence> putPresence(String key, String lookAlike, Presence presence, boolean takeOver)
            throws StoreException {
        return nodes.putPresence(key, lookAlike, presence, takeOver);
    }

    @Override
    public void removePresence(String key, String nodeId) throws StoreException {
        nodes.removePresence(key, nodeId);
    }

    @Override
    public Map<String, Presence> presence() throws StoreException {
        return nodes.presence();
    }

    @Override
    public Map<String, Presence> presence(Collection<String> keys) throws StoreException {
        return nodes.presence(keys);
    }

    /** A stream entry [id, [field, value, ...]] as a message. */
    static StoredMessage message(long conversationId, List<?> entry) {
        String id = (String) entry.get(0);
        long sequence = Long.parseLong(id.substring(0, id.indexOf('-')));
        List<?> fields = (List<?>) entry.get(1);
        long timestamp = 0;
        long clientId = 0;
        String sender = "";
        String text = "";
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String value = (String) fields.get(i + 1);
            switch ((String) fields.get(i)) {
                case "ts" -> timestamp = Long.parseLong(value);
                case "s" -> sender = value;
                case "c" -> clientId = Long.parseLong(value);
                case "t" -> text = value;
                default -> {
                    // A field a later version added: not ours to read.
                }
            }
        }
        return new StoredMessage(conversationId, sequence, timestamp, sender, clientId, text);
    }

    /** The one reply, refusing an error reply. */
    static Object single(List<Object> replies) throws StoreException {
        return reply(replies, 0);
    }

    /** Reply {@code index} of a pipeline, refusing an error reply. */
    static Object reply(List<Object> replies, int index) throws StoreException {
        Object reply = replies.get(index);
        if (reply instanceof Failure failure) {
            throw new StoreException("Redis refused: " + failure.message());
        }
        return reply;
    }

    /** The key of {@code user}'s index of conversations (see the layout above). */
    static String conversationsKey(String user) {
        return "parley:{u:" + user + "}:conversations";
    }

    /** The one reply of a script, refusing nil (the conversation does not exist). */
    static Object known(long conversationId, List<Object> replies) throws StoreException {
        Object reply = single(replies);
        if (reply == null) {
            throw new StoreException("unknown conversation " + conversationId);
        }
        return reply;
    }

    @Override
    public void close() {
        hints.close();
        writers.forEach(RedisWriter::close);
        if (reader != null) {
            reader.close();
        }
    }

    /** Runs {@code commands} as one operation (on the first writer) and returns what {@code parser} makes of the replies. */
    <T> T call(List<List<Object>> commands, Parser<T> parser) throws StoreException {
        return await(submit(commands, parser));
    }

    /**
     * Runs {@code commands}, which only read, as one operation on the reader's connection and returns
     * what {@code parser} makes of the replies. It sees every write whose stage has completed.
     */
    <T> T read(List<List<Object>> commands, Parser<T> parser) throws StoreException {
        return await(reader.submit(new Operation<>(commands, parser, null, new CompletableFuture<>())));
    }

    /** Queues an operation that names no conversation. */
    private <T> CompletableFuture<T> submit(List<List<Object>> commands, Parser<T> parser) {
        return submit(0, commands, parser);
    }

    /** Queues an operation on conversation {@code conversationId}, on its writer. */
    private <T> CompletableFuture<T> submit(long conversationId, List<List<Object>> commands, Parser<T> parser) {
        return writer(conversationId).submit(new Operation<>(commands, parser, null, new CompletableFuture<>()));
    }

    private RedisWriter writer(long conversationId) {
        return writers.get((int) Long.remainderUnsigned(conversationId, writers.size()));
    }

    private static <T> T await(CompletableFuture<T> result) throws StoreException {
        return BatchWriter.await(result);
    }
}
