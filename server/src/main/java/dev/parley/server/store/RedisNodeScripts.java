package dev.parley.server.store;

import dev.parley.server.store.RedisScripts.Script;

/**
 * The Lua scripts of the nodes sharing a {@link RedisStore}: leases and presence, judged on Redis's
 * clock ({@code TIME}), so that the nodes' own clocks never decide who is dead. Their keys share
 * the hash tag {@code {nodes}}, so each script runs in one slot of a Redis Cluster:
 * <pre>
 *   parley:{nodes}:leases     sorted set: node id by the time its lease runs out (ms, Redis's clock)
 *   parley:{nodes}:presence   hash: user key to "NODE\nDETACHED(0|1)\nUSERNAME\nSTATUS"
 *   parley:{nodes}:lookalikes hash: look-alike to the user key that claims it
 * </pre>
 * A node whose lease ran out is removed from the leases, and its users from the presence, by the
 * next script that looks. A look-alike's claim counts while its user has an entry held by a live
 * node, and stops another user's put (see {@link SharedStore#putPresence}); claims that stopped
 * counting are overwritten by the next claim, and deleted by {@link #PRESENCE} and {@link #RELEASE}.
 * Immutable.
 */
final class RedisNodeScripts {

    static final String LEASES = "parley:{nodes}:leases";
    static final String PRESENCE_KEY = "parley:{nodes}:presence";
    static final String LOOK_ALIKES = "parley:{nodes}:lookalikes";
    static final String PRESENCE_CHANNEL = "parley:{nodes}:presence-changed";

    /**
     * The start of a script whose KEYS[1] is the leases: {@code now} on Redis's clock,
     * {@code node(entry)}, the node that holds a presence entry, and {@code live(entry)}, whether an
     * entry (or false) is held by a node whose lease runs.
     */
    private static final String LIVE_ENTRY = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local function node(entry)
              return entry and string.match(entry, '^([^\\n]*)\\n')
            end
            local function live(entry)
              local holder = node(entry)
              local expires = holder and redis.call('ZSCORE', KEYS[1], holder)
              return expires and tonumber(expires) > now
            end
            """;

    /** KEYS: leases. ARGV: node, lease in ms. Returns 1 if the node had a live lease, else 0. */
    static final Script RENEW = Script.of("renew-lease", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            if old and tonumber(old) > now then return 1 end
            return 0
            """);

    /**
     * KEYS: leases, presence, look-alikes. ARGV: node, hint channel. Ends the node's lease and drops
     * its users, and the claims of users without an entry.
     */
    static final Script RELEASE = Script.of("release-lease", """
            redis.call('ZREM', KEYS[1], ARGV[1])
            local all = redis.call('HGETALL', KEYS[2])
            local prefix = ARGV[1] .. '\\n'
            for i = 1, #all, 2 do
              if string.sub(all[i + 1], 1, #prefix) == prefix then redis.call('HDEL', KEYS[2], all[i]) end
            end
            local claims = redis.call('HGETALL', KEYS[3])
            for i = 1, #claims, 2 do
              if redis.call('HEXISTS', KEYS[2], claims[i + 1]) == 0 then redis.call('HDEL', KEYS[3], claims[i]) end
            end
            redis.call('PUBLISH', ARGV[2], '')
            return 1
            """);

    /** KEYS: leases. Returns the nodes whose lease has not run out, forgetting the others. */
    static final Script LIVE = Script.of("live-nodes", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZRANGE', KEYS[1], 0, -1)
            """);

    /**
     * KEYS: leases, presence, look-alikes. ARGV: user key, entry, look-alike, hint channel, take over
     * (0|1). Puts the entry and claims the look-alike for the user, unless another node's live entry
     * holds the user connected (and not take over) or another user's claim still counts: returns
     * {key, entry} of the entry that stopped it, else {}.
     */
    static final Script PUT_PRESENCE = Script.of("put-presence", LIVE_ENTRY + """
            local held = redis.call('HGET', KEYS[2], ARGV[1])
            if ARGV[5] == '0' and live(held) and node(held) ~= node(ARGV[2])
                and string.match(held, '^[^\\n]*\\n0\\n') then
              return {ARGV[1], held}
            end
            local holder = redis.call('HGET', KEYS[3], ARGV[3])
            local similar = holder and holder ~= ARGV[1] and redis.call('HGET', KEYS[2], holder)
            if live(similar) then return {holder, similar} end
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[3], ARGV[3], ARGV[1])
            redis.call('PUBLISH', ARGV[4], '')
            return {}
            """);

    /** KEYS: presence. ARGV: user key, node, hint channel. Removes the user's entry if the node holds it. */
    static final Script REMOVE_PRESENCE = Script.of("remove-presence", """
            local entry = redis.call('HGET', KEYS[1], ARGV[1])
            local prefix = ARGV[2] .. '\\n'
            if entry and string.sub(entry, 1, #prefix) == prefix then
              redis.call('HDEL', KEYS[1], ARGV[1])
              redis.call('PUBLISH', ARGV[3], '')
            end
            return 1
            """);

    /**
     * KEYS: leases, presence, look-alikes. Returns the presence hash as {key, entry, ...} with the
     * entries of nodes whose lease ran out left out and deleted, and deletes the claims of users
     * without an entry left.
     */
    static final Script PRESENCE = Script.of("presence", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local live = {}
            for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do live[node] = true end
            local all = redis.call('HGETALL', KEYS[2])
            local out = {}
            local kept = {}
            for i = 1, #all, 2 do
              local node = string.match(all[i + 1], '^([^\\n]*)\\n')
              if node and live[node] then
                out[#out + 1] = all[i]
                out[#out + 1] = all[i + 1]
                kept[all[i]] = true
              else
                redis.call('HDEL', KEYS[2], all[i])
              end
            end
            local claims = redis.call('HGETALL', KEYS[3])
            for i = 1, #claims, 2 do
              if not kept[claims[i + 1]] then redis.call('HDEL', KEYS[3], claims[i]) end
            end
            return out
            """);

    /**
     * KEYS: leases, presence. ARGV: user keys. Returns {key, entry, ...} for those of the users whose
     * entry is held by a live node.
     */
    static final Script PRESENCE_OF = Script.of("presence-of", LIVE_ENTRY + """
            local out = {}
            for _, key in ipairs(ARGV) do
              local entry = redis.call('HGET', KEYS[2], key)
              if live(entry) then
                out[#out + 1] = key
                out[#out + 1] = entry
              end
            end
            return out
            """);

    private RedisNodeScripts() {
    }
}
