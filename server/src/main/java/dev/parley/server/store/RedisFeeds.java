package dev.parley.server.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reading side of a {@link RedisStore}'s feeds (its {@link SharedStore} part): a conversation's
 * changes and snapshot, each read by one script, and the feed of created conversations. Every
 * method is one or two round trips through the store's writer. Thread-safe, as the store.
 */
final class RedisFeeds {

    /**
     * How long the created feed waits for a conversation whose id was taken but whose keys do not
     * exist yet; past it, the node creating it is taken to have died in between, and it is skipped.
     */
    static final Duration CREATION_GRACE = Duration.ofSeconds(10);

    private final RedisStore store;

    RedisFeeds(RedisStore store) {
        this.store = store;
    }

    ChangePage changes(long conversationId, long after, int limit) throws StoreException {
        return changes(Map.of(conversationId, after), limit).get(conversationId);
    }

    /** Each conversation's changes after its cursor ({@code after}), all in one pipeline. */
    Map<Long, ChangePage> changes(Map<Long, Long> after, int limit) throws StoreException {
        List<Long> conversations = List.copyOf(after.keySet());
        List<List<Object>> commands = new ArrayList<>(conversations.size());
        for (long id : conversations) {
            commands.add(RedisWriter.script(RedisScripts.CHANGES, List.of(RedisWriter.key(id, "meta"),
                    RedisWriter.key(id, "feed"), RedisWriter.key(id, "log")), List.of(after.get(id), limit)));
        }
        return store.read(commands, replies -> {
            Map<Long, ChangePage> pages = new LinkedHashMap<>();
            for (int i = 0; i < conversations.size(); i++) {
                pages.put(conversations.get(i), page(conversations.get(i), RedisStore.single(replies.subList(i, i + 1))));
            }
            return pages;
        });
    }

    /** The page in a reply of {@link RedisScripts#CHANGES} for {@code conversationId}. */
    private static ChangePage page(long conversationId, Object reply) throws StoreException {
        if (reply == null) {
            return ChangePage.endedFeed();
        }
        List<?> parts = (List<?>) reply;
        long last = (Long) parts.get(0);
        long first = (Long) parts.get(1);
        List<Change> changes = new ArrayList<>();
        for (Object item : (List<?>) parts.get(2)) {
            List<?> entry = (List<?>) item;
            long cursor = (Long) entry.get(0);
            String value = (String) entry.get(2);
            switch ((String) entry.get(1)) {
                case "J" -> changes.add(new Change.Joined(cursor, conversationId, value));
                case "L" -> changes.add(new Change.Left(cursor, conversationId, value));
                case "P" -> {
                    // The feed is trimmed before the log, so its message is there.
                    if (entry.get(3) instanceof List<?> message) {
                        changes.add(new Change.Posted(cursor, RedisStore.message(conversationId, message)));
                    }
                }
                default -> throw new StoreException("a change of a kind this version does not know: " + entry);
            }
        }
        return new ChangePage(changes, first == 0 ? last + 1 : first, last, false);
    }

    ConversationSnapshot snapshot(long conversationId) throws StoreException {
        List<Object> command = RedisWriter.script(RedisScripts.SNAPSHOT, List.of(RedisWriter.key(conversationId, "meta"),
                RedisWriter.key(conversationId, "members")), List.of());
        return store.read(List.of(command), replies -> {
            List<?> parts = (List<?>) RedisStore.known(conversationId, replies);
            List<String> members = ((List<?>) parts.get(0)).stream().map(String.class::cast).toList();
            return new ConversationSnapshot(conversationId, members, (Long) parts.get(1), (Long) parts.get(2));
        });
    }

    /**
     * The created feed: the live ids above {@code after} with each one's creator and invited, stopping
     * before one still being created (so that none becomes visible after a greater id).
     */
    ChangePage created(long after, int limit) throws StoreException {
        List<?> listed = store.read(List.of(RedisWriter.script(RedisScripts.CREATED,
                List.of(RedisStore.CONVERSATIONS, RedisStore.CREATING), List.of(after, limit))),
                replies -> (List<?>) RedisStore.single(replies));
        long now = (Long) listed.get(0);
        long newest = (Long) listed.get(1);
        List<?> ids = (List<?>) listed.get(2);
        List<?> began = (List<?>) listed.get(3);
        if (ids.isEmpty()) {
            return new ChangePage(List.of(), 1, newest, false);
        }
        List<List<Object>> reads = new ArrayList<>();
        for (Object id : ids) {
            long conversation = Long.parseLong((String) id);
            reads.add(List.of("HGET", RedisWriter.key(conversation, "meta"), "creator"));
            reads.add(List.of("LRANGE", RedisWriter.key(conversation, "invitees"), 0, -1));
        }
        List<Object> details = store.read(reads, replies -> replies);
        List<Change> page = new ArrayList<>();
        long last = newest;
        for (int i = 0; i < ids.size(); i++) {
            long id = Long.parseLong((String) ids.get(i));
            if (details.get(2 * i) instanceof String creator && details.get(2 * i + 1) instanceof List<?> invited) {
                page.add(new Change.Created(id, id, creator, invited.stream().map(String.class::cast).toList()));
            } else if (began.get(i) instanceof String start && now - Long.parseLong(start) < CREATION_GRACE.toMillis()) {
                last = id - 1;
                break;
            }
            // Otherwise it ended since it was listed, or its creator died before making it: skip it.
        }
        return new ChangePage(page, 1, last, false);
    }

    /**
     * The conversations in {@code user}'s index (see {@link RedisStore}'s layout) of which the user is
     * a member: one round trip for the index, one for a ZSCORE per listed conversation; and, if some
     * listed are not theirs, two more to unlist those that ended.
     */
    Set<Long> conversationsOf(String user) throws StoreException {
        String index = RedisStore.conversationsKey(user);
        List<Long> listed = store.read(List.of(List.of("SMEMBERS", index)),
                replies -> ((List<?>) RedisStore.single(replies)).stream()
                        .map(id -> Long.parseLong((String) id)).toList());
        Set<Long> of = new TreeSet<>();
        if (listed.isEmpty()) {
            return of;
        }
        List<List<Object>> checks = new ArrayList<>();
        for (long id : listed) {
            checks.add(List.of("ZSCORE", RedisWriter.key(id, "members"), user));
        }
        List<Long> notTheirs = store.read(checks, replies -> {
            List<Long> others = new ArrayList<>();
            for (int i = 0; i < listed.size(); i++) {
                if (RedisStore.reply(replies, i) instanceof String) {
                    of.add(listed.get(i));
                } else {
                    others.add(listed.get(i));
                }
            }
            return others;
        });
        if (!notTheirs.isEmpty()) {
            unlistEnded(index, notTheirs);
        }
        return of;
    }

    /**
     * Removes from the index at {@code index} those of {@code listed} that ended. A listed conversation
     * the user is not in may be one they are joining or creating now (its SADD ran, its script not yet),
     * so only one that can never have members again goes: its id was given ({@code next} is at least
     * it), its creation is not under way, and its meta is gone. Read in that order, in one pipeline,
     * so that a creation that finishes between the reads still shows its meta.
     */
    private void unlistEnded(String index, List<Long> listed) throws StoreException {
        List<List<Object>> reads = new ArrayList<>();
        reads.add(List.of("GET", RedisStore.CONVERSATION_COUNTER));
        for (long id : listed) {
            reads.add(List.of("HEXISTS", RedisStore.CREATING, id));
            reads.add(List.of("EXISTS", RedisWriter.key(id, "meta")));
        }
        List<Object> ended = store.read(reads, replies -> {
            long given = RedisStore.reply(replies, 0) instanceof String next ? Long.parseLong(next) : 0;
            List<Object> gone = new ArrayList<>();
            for (int i = 0; i < listed.size(); i++) {
                boolean creating = (Long) RedisStore.reply(replies, 1 + 2 * i) == 1;
                boolean exists = (Long) RedisStore.reply(replies, 2 + 2 * i) == 1;
                if (listed.get(i) <= given && !creating && !exists) {
                    gone.add(listed.get(i));
                }
            }
            return gone;
        });
        if (!ended.isEmpty()) {
            List<Object> command = new ArrayList<>(List.of("SREM", index));
            command.addAll(ended);
            store.call(List.of(command), RedisStore::single);
        }
    }
}
