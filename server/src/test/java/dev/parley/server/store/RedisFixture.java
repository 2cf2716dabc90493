package dev.parley.server.store;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.util.List;

/**
 * A real {@code redis-server} for a test class: started before its first test (on a free port,
 * in a temporary directory, with {@code appendonly yes} and {@code appendfsync always}), emptied
 * before each test, stopped after the last. Register it in a static field:
 * <pre>
 *   {@literal @}RegisterExtension
 *   static final RedisFixture redis = new RedisFixture();
 * </pre>
 * Without {@code redis-server} on PATH the class's tests are skipped, saying so, except under
 * {@code CI=true}, where they fail. Used by the test thread.
 */
public final class RedisFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private RedisProcess redis;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        requireRedisServer();
        redis = RedisProcess.start();
    }

    /** Skips the test saying why if {@code redis-server} is missing; under {@code CI=true}, fails it instead. */
    public static void requireRedisServer() {
        if (RedisProcess.find() == null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("CI=true needs the Redis tests to run, but " + RedisProcess.HOW_TO_INSTALL);
            }
            Assumptions.abort(RedisProcess.HOW_TO_INSTALL);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (!redis.isRunning()) {
            redis.restart();
        }
        try (var connection = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
            Object reply = connection.call(List.of("FLUSHALL"));
            if (!"OK".equals(reply)) {
                throw new IOException("FLUSHALL answered " + reply);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (redis != null) {
            redis.close();
        }
    }

    /** The running Redis process, to stop, kill or restart. */
    public RedisProcess process() {
        return redis;
    }

    /** Where the running Redis answers. */
    public RedisAddress address() {
        return redis.address();
    }
}
