package dev.parley.server.store;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The leases and presence of the nodes sharing a {@link RedisStore}, through the scripts of
 * {@link RedisNodeScripts}, on Redis's clock. Thread-safe, as the store.
 */
final class RedisNodes {

    /** The keys of the scripts that read or write presence, in their order. */
    private static final List<String> PRESENCE_KEYS = List.of(RedisNodeScripts.LEASES, RedisNodeScripts.PRESENCE_KEY,
            RedisNodeScripts.LOOK_ALIKES);

    private final RedisStore store;

    RedisNodes(RedisStore store) {
        this.store = store;
    }

    boolean renewLease(String nodeId, Duration lease) throws StoreException {
        return store.call(List.of(RedisWriter.script(RedisNodeScripts.RENEW, List.of(RedisNodeScripts.LEASES),
                List.of(nodeId, lease.toMillis()))), replies -> (Long) RedisStore.single(replies) == 1);
    }

    void releaseLease(String nodeId) throws StoreException {
        store.call(List.of(RedisWriter.script(RedisNodeScripts.RELEASE,
                PRESENCE_KEYS, List.of(nodeId, RedisNodeScripts.PRESENCE_CHANNEL))), RedisStore::single);
    }

    Set<String> liveNodes() throws StoreException {
        return store.read(List.of(RedisWriter.script(RedisNodeScripts.LIVE, List.of(RedisNodeScripts.LEASES),
                List.of())), replies -> {
            List<?> nodes = (List<?>) RedisStore.single(replies);
            return Set.copyOf(nodes.stream().map(String.class::cast).toList());
        });
    }

    Optional<Presence> putPresence(String key, String lookAlike, Presence presence, boolean takeOver)
            throws StoreException {
        String entry = presence.nodeId() + "\n" + (presence.detached() ? 1 : 0) + "\n" + presence.username() + "\n"
                + presence.status();
        Map<String, Presence> blocker = store.call(List.of(RedisWriter.script(RedisNodeScripts.PUT_PRESENCE,
                PRESENCE_KEYS, List.of(key, entry, lookAlike, RedisNodeScripts.PRESENCE_CHANNEL, takeOver ? 1 : 0))),
                RedisNodes::entries);
        return blocker.values().stream().findFirst();
    }

    void removePresence(String key, String nodeId) throws StoreException {
        store.call(List.of(RedisWriter.script(RedisNodeScripts.REMOVE_PRESENCE, List.of(RedisNodeScripts.PRESENCE_KEY),
                List.of(key, nodeId, RedisNodeScripts.PRESENCE_CHANNEL))), RedisStore::single);
    }

    Map<String, Presence> presence() throws StoreException {
        return store.read(List.of(RedisWriter.script(RedisNodeScripts.PRESENCE, PRESENCE_KEYS, List.of())),
                RedisNodes::entries);
    }

    /** The entries of users {@code keys} on live nodes. */
    Map<String, Presence> presence(Collection<String> keys) throws StoreException {
        if (keys.isEmpty()) {
            return Map.of();
        }
        return store.read(List.of(RedisWriter.script(RedisNodeScripts.PRESENCE_OF,
                List.of(RedisNodeScripts.LEASES, RedisNodeScripts.PRESENCE_KEY), List.copyOf(keys))), RedisNodes::entries);
    }

    /** A script's reply {key, entry, ...} as presence by key. */
    private static Map<String, Presence> entries(List<Object> replies) throws StoreException {
        List<?> flat = (List<?>) RedisStore.single(replies);
        Map<String, Presence> all = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String[] parts = ((String) flat.get(i + 1)).split("\n", 4);
            if (parts.length == 4) {
                all.put((String) flat.get(i), new Presence(parts[2], parts[3], parts[0], parts[1].equals("1")));
            }
        }
        return Map.copyOf(all);
    }
}
