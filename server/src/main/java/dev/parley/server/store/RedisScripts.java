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
     * KEYS: meta, log, dedupe. ARGV: sender, client message id, text, messages retained, hint channel.
     * Returns {duplicate (0 or 1), sequence, timestamp}. Numbers the message from the
     * conversation's counter (so numbers stay dense whatever Redis's clock does), stamps it with
     * Redis's clock, adds it to the stream under the id SEQUENCE-0, remembers its client id, trims
     * the oldest messages past retention with their client ids, and publishes the number as a hint.
     */
    static final Script APPEND = Script.of("append", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            local dedupe
            if ARGV[2] ~= '0' then
              dedupe = ARGV[2] .. ':' .. ARGV[1]
              local seen = redis.call('HGET', KEYS[3], dedupe)
              if seen then
                local entry = redis.call('XRANGE', KEYS[2], seen, seen)[1]
                local fields = entry[2]
                for i = 1, #fields, 2 do
                  if fields[i] == 'ts' then return {1, tonumber(seen), tonumber(fields[i + 1])} end
                end
              end
            end
            local seq = redis.call('HINCRBY', KEYS[1], 'last', 1)
            local now = redis.call('TIME')
            local ts = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            redis.call('XADD', KEYS[2], seq .. '-0', 'ts', string.format('%d', ts), 's', ARGV[1], 'c', ARGV[2],
              't', ARGV[3])
            if dedupe then redis.call('HSET', KEYS[3], dedupe, seq) end
            local keep = tonumber(ARGV[4])
            if seq > keep then
              for _, old in ipairs(redis.call('XRANGE', KEYS[2], '-', string.format('%d', seq - keep), 'COUNT', 100)) do
                local fields = old[2]
                local client, sender
                for i = 1, #fields, 2 do
                  if fields[i] == 'c' then client = fields[i + 1] elseif fields[i] == 's' then sender = fields[i + 1] end
                end
                if client ~= '0' then redis.call('HDEL', KEYS[3], client .. ':' .. sender) end
                redis.call('XDEL', KEYS[2], old[1])
              end
            end
            redis.call('PUBLISH', ARGV[5], seq)
            return {0, seq, ts}
            """);

    /** KEYS: meta, members, invited. ARGV: creator, then everyone invited. Returns 1. */
    static final Script CREATE = Script.of("create", """
            redis.call('HSET', KEYS[1], 'last', 0, 'joins', 1)
            redis.call('ZADD', KEYS[2], 1, ARGV[1])
            redis.call('SADD', KEYS[3], unpack(ARGV))
            return 1
            """);

    /** KEYS: meta, members. ARGV: user. Returns 1 if they joined now, 0 if they were in. */
    static final Script JOIN = Script.of("join", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
            redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[1], 'joins', 1), ARGV[1])
            return 1
            """);

    /**
     * KEYS: meta, members, invited, log, dedupe. ARGV: user. Returns 1 if the conversation ended
     * (and was deleted), else 0.
     */
    static final Script LEAVE = Script.of("leave", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            redis.call('ZREM', KEYS[2], ARGV[1])
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

    static final List<Script> ALL = List.of(APPEND, CREATE, JOIN, LEAVE, IS_INVITED, HISTORY);

    private RedisScripts() {
    }
}
