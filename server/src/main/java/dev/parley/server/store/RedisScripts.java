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
     * KEYS: meta, log, dedupe. ARGV: messages retained, hint channel, then sender, client message
     * id and text of each message, in order. Returns {duplicate (0 or 1), sequence, timestamp} of
     * each. Numbers each new message from the conversation's counter (so numbers stay dense
     * whatever Redis's clock does), stamps it with Redis's clock, adds it to the stream under the id
     * SEQUENCE-0 and remembers its client id; a client id already kept answers the message stored
     * under it. Then trims the oldest messages past retention with their client ids, and publishes
     * the last number as a hint. Appending a batch of one conversation's messages in one call
     * keeps Redis's work (and its fsync per event loop) per message small.
     */
    static final Script APPEND = Script.of("append", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
            local now = redis.call('TIME')
            local ts = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            local stamp = string.format('%d', ts)
            local out = {}
            local seq
            for i = 3, #ARGV, 3 do
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
                out[#out + 1] = 0; out[#out + 1] = seq; out[#out + 1] = ts
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
              redis.call('PUBLISH', ARGV[2], seq)
            end
            return out
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
