package dev.parley.server.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts {@link RedisStore} runs in Redis, each an atomic step on the keys of one
 * conversation (so each touches one hash slot of a Redis Cluster). Every script answers nil when
 * the conversation does not exist. Immutable.
 */
final class RedisScripts {

    /** A script and its SHA-1, under which {@code EVALSHA} runs it once Redis has it. */
    record Script(String name, String source, String sha) {

        static Script of(String name, String source) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(name, source, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-1", e);
            }
        }
    }

    /**
     * KEYS: meta, log, dedupe, feed. ARGV: messages retained, hint channel, longest carrying hint in
     * bytes ({@link RedisOptions#maxCarriedBytes()}), then sender, client message id and text of each
     * message, in order. Returns {duplicate (0 or 1), sequence, timestamp} of each. Numbers each new
     * message from the conversation's counter (so numbers stay dense whatever Redis's clock does),
     * stamps it with Redis's clock, adds it to the stream under the id SEQUENCE-0, remembers its
     * client id and records it in the change feed; a client id already kept answers the message
     * stored under it. Then trims the oldest messages past retention with their client ids, trims
     * the feed to as many changes as messages are retained (so a change's message is always kept),
     * and publishes a hint (if anything new was posted). Appending a batch of one conversation's
     * messages in one call keeps Redis's work (and its fsync per event loop) per message small.
     *
     * <p>The hint carries the changes this call posted, so that a node whose cursor is where they
     * start applies them without reading the feed (whose reply would wait for another fsync of
     * Redis's). Duplicates post nothing and are left out. Numbers are decimal ASCII; each string is
     * its length in bytes (of its UTF-8, as Lua counts), a colon and the bytes, so any text
     * (newlines, separators, nothing at all) comes through as it is:
     * <pre>
     *   hint    = "P" after ";" posted+           carried: the changes right after cursor "after"
     *           | cursor                          hint only: the feed's last cursor (as JOIN and LEAVE publish)
     *   posted  = cursor "," sequence "," timestamp "," clientId "," string "," string ";"
     *                                                                  (sender)     (text)
     *   string  = length ":" bytes
     *
     *   P41;42,17,1765000000000,9,5:alice,6:hi you;43,18,1765000000000,0,5:alice,0:;
     * </pre>
     * The cursors are consecutive from {@code after + 1}. A hint that would be longer than the limit
     * (ARGV[3] bytes) is the cursor alone, and nodes read the feed as they do after any hint.
     */
    static final Script APPEND = Script.of("append", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            local now = redis.call('TIME')
            local ts = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            local stamp = string.format('%d', ts)
            local limit = tonumber(ARGV[3])
            local out = {}
            local seq, cursor, after
            local carried, size = {}, 0
            for i = 4, #ARGV, 3 do
              local sender, client, text = ARGV[i], ARGV[i + 1], ARGV[i + 2]
              local dedupe, seen
              if client ~= '0' then
                dedupe = client .. ':' .. sender
                seen = redis.call('HGET', KEYS[3], dedupe)
              end
              if seen then
                local stored = 0
                local fields = redis.call('XRANGE', KEYS[2], seen, seen)[1][2]
                for j = 1, #fields, 2 do
                  if fields[j] == 'ts' then stored = tonumber(fields[j + 1]) end
                end
                out[#out + 1] = 1; out[#out + 1] = tonumber(seen); out[#out + 1] = stored
              else
                seq = redis.call('HINCRBY', KEYS[1], 'last', 1)
                redis.call('XADD', KEYS[2], seq .. '-0', 'ts', stamp, 's', sender, 'c', client, 't', text)
                if dedupe then redis.call('HSET', KEYS[3], dedupe, seq) end
                cursor = redis.call('HINCRBY', KEYS[1], 'cursor', 1)
                redis.call('XADD', KEYS[4], cursor .. '-0', 'k', 'P', 'v', seq)
                out[#out + 1] = 0; out[#out + 1] = seq; out[#out + 1] = ts
                if not after then after = cursor - 1 end
                if carried then
                  -- Concatenated, not formatted: Lua 5.1's %s stops a short string at a zero byte.
                  local posted = string.format('%d,%d,', cursor, seq) .. stamp .. ',' .. client .. ','
                    .. #sender .. ':' .. sender .. ',' .. #text .. ':' .. text .. ';'
                  size = size + #posted
                  if size > limit then carried = nil else carried[#carried + 1] = posted end
                end
              end
            end
            if seq then
              local keep = tonumber(ARGV[1])
              if seq > keep then
                local trim = redis.call('XRANGE', KEYS[2], '-', string.format('%d', seq - keep), 'COUNT', #ARGV + 100)
                for _, old in ipairs(trim) do
                  local fields = old[2]
                  local client, sender
                  for j = 1, #fields, 2 do
                    if fields[j] == 'c' then client = fields[j + 1] elseif fields[j] == 's' then sender = fields[j + 1] end
                  end
                  if client ~= '0' then redis.call('HDEL', KEYS[3], client .. ':' .. sender) end
                  redis.call('XDEL', KEYS[2], old[1])
                end
              end
              redis.call('XTRIM', KEYS[4], 'MAXLEN', keep)
              local hint = string.format('%d', cursor)
              if carried then
                local head = string.format('P%d;', after)
                if size + #head <= limit then hint = head .. table.concat(carried) end
              end
              redis.call('PUBLISH', ARGV[2], hint)
            end
            return out
            """);

    /**
     * KEYS: meta, members, invited, invitees. ARGV: creator, then everyone invited as given (the
     * creator is invited too). Returns 1. The creator and the invited as given are kept for the
     * feed of created conversations; the feed's cursor starts at 0.
     */
    static final Script CREATE = Script.of("create", """
            redis.call('HSET', KEYS[1], 'last', 0, 'joins', 1, 'cursor', 0, 'creator', ARGV[1])
            redis.call('ZADD', KEYS[2], 1, ARGV[1])
            redis.call('SADD', KEYS[3], unpack(ARGV))
            if #ARGV > 1 then redis.call('RPUSH', KEYS[4], unpack(ARGV, 2)) end
            return 1
            """);

    /**
     * KEYS: meta, members, feed. ARGV: user, hint channel. Returns 1 if they joined now (recorded
     * in the feed and published), 0 if they were in.
     */
    static final Script JOIN = Script.of("join", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
            redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[1], 'joins', 1), ARGV[1])
            local cursor = redis.call('HINCRBY', KEYS[1], 'cursor', 1)
            redis.call('XADD', KEYS[3], cursor .. '-0', 'k', 'J', 'v', ARGV[1])
            redis.call('PUBLISH', ARGV[2], cursor)
            return 1
            """);

    /**
     * KEYS: meta, members, invited, log, dedupe, feed, invitees. ARGV: user, hint channel. Records
     * the leave in the feed; returns 1 if the conversation ended (and was deleted, feed and all),
     * else 0. Publishes a hint either way.
     */
    static final Script LEAVE = Script.of("leave", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
              local cursor = redis.call('HINCRBY', KEYS[1], 'cursor', 1)
              redis.call('XADD', KEYS[6], cursor .. '-0', 'k', 'L', 'v', ARGV[1])
              redis.call('PUBLISH', ARGV[2], cursor)
            end
            if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
            redis.call('DEL', unpack(KEYS))
            return 1
            """);

    /** KEYS: meta, invited. ARGV: user. Returns 1 if invited, else 0. */
    static final Script IS_INVITED = Script.of("is-invited", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            return redis.call('SISMEMBER', KEYS[2], ARGV[1])
            """);

    /**
     * KEYS: meta, log. ARGV: XRANGE or XREVRANGE, its start, its end, count. Returns {last sequence,
     * messages kept, entries}, read at one instant.
     */
    static final Script HISTORY = Script.of("history", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
            local kept = redis.call('XLEN', KEYS[2])
            local entries = {}
            if tonumber(ARGV[4]) > 0 then
              entries = redis.call(ARGV[1], KEYS[2], ARGV[2], ARGV[3], 'COUNT', ARGV[4])
            end
            return {last, kept, entries}
            """);

    /**
     * KEYS: conversation counter, ids of live conversations, creations under way. Returns a new
     * conversation id, listed at once (so that conversations become visible in id order) and noted
     * as being created, with Redis's time in ms, until its keys exist.
     */
    static final Script ALLOCATE = Script.of("allocate", """
            local id = redis.call('INCR', KEYS[1])
            local now = redis.call('TIME')
            redis.call('HSET', KEYS[3], id, tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
            redis.call('ZADD', KEYS[2], id, id)
            return id
            """);

    /**
     * KEYS: ids of live conversations, creations under way. ARGV: after, count. Returns {Redis's
     * time in ms, newest id, ids above after (at most count), for each of them when its creation began
     * (false once created)}.
     */
    static final Script CREATED = Script.of("created", """
            local now = redis.call('TIME')
            local newest = redis.call('ZRANGE', KEYS[1], -1, -1)[1] or '0'
            local ids = redis.call('ZRANGE', KEYS[1], '(' .. ARGV[1], '+inf', 'BYSCORE', 'LIMIT', 0, ARGV[2])
            local began = {}
            for i, id in ipairs(ids) do began[i] = redis.call('HGET', KEYS[2], id) end
            return {tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), tonumber(newest), ids, began}
            """);

    /**
     * KEYS: meta, feed, log. ARGV: after, count. Returns {last cursor, first kept cursor (0 if
     * none is kept), changes}, each change {cursor, kind J L or P, user or sequence, the message's
     * stream entry for P}; nil if the conversation does not exist.
     */
    static final Script CHANGES = Script.of("changes", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            local last = tonumber(redis.call('HGET', KEYS[1], 'cursor') or '0')
            local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
            local first = 0
            if oldest then first = tonumber(string.match(oldest[1], '^(%d+)')) end
            local out = {}
            if tonumber(ARGV[2]) > 0 then
              local start = string.format('%d', tonumber(ARGV[1]) + 1)
              for _, entry in ipairs(redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', ARGV[2])) do
                local fields = entry[2]
                local kind, value
                for i = 1, #fields, 2 do
                  if fields[i] == 'k' then kind = fields[i + 1] elseif fields[i] == 'v' then value = fields[i + 1] end
                end
                local message = false
                if kind == 'P' then message = redis.call('XRANGE', KEYS[3], value, value)[1] or false end
                out[#out + 1] = {tonumber(string.match(entry[1], '^(%d+)')), kind, value, message}
              end
            end
            return {last, first, out}
            """);

    /**
     * KEYS: meta, members. Returns {members in join order, last sequence, last cursor}, read at
     * once; nil if the conversation does not exist.
     */
    static final Script SNAPSHOT = Script.of("snapshot", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            local meta = redis.call('HMGET', KEYS[1], 'last', 'cursor')
            return {redis.call('ZRANGE', KEYS[2], 0, -1), tonumber(meta[1] or '0'), tonumber(meta[2] or '0')}
            """);

    static final List<Script> ALL = List.of(APPEND, CREATE, JOIN, LEAVE, IS_INVITED, HISTORY, ALLOCATE, CREATED,
            CHANGES, SNAPSHOT, RedisNodeScripts.RENEW, RedisNodeScripts.RELEASE, RedisNodeScripts.LIVE,
            RedisNodeScripts.PUT_PRESENCE, RedisNodeScripts.REMOVE_PRESENCE, RedisNodeScripts.PRESENCE, RedisNodeScripts.PRESENCE_OF);

    private RedisScripts() {
    }
}
