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

    Set<Long> conversationsOf(String user) throws StoreException {
        List<Long> ids = store.read(List.of(List.of("ZRANGE", RedisStore.CONVERSATIONS, 0, -1)),
                replies -> ((List<?>) RedisStore.single(replies)).stream()
                        .map(id -> Long.parseLong((String) id)).toList());
        Set<Long> of = new TreeSet<>();
        if (ids.isEmpty()) {
            return of;
        }
        List<List<Object>> checks = new ArrayList<>();
        for (long id : ids) {
            checks.add(List.of("ZSCORE", RedisWriter.key(id, "members"), user));
        }
        List<Object> scores = store.read(checks, replies -> replies);
        for (int i = 0; i < ids.size(); i++) {
            if (scores.get(i) instanceof String) {
                of.add(ids.get(i));
            }
        }
        return of;
    }
}
