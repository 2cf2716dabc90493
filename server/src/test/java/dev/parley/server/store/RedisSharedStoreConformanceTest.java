package dev.parley.server.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared-store conformance suite over {@link RedisStore} on a real {@code redis-server} (another
 * node is another store, with its own connections, on the same Redis), and what is Redis's own: the
 * hint subscription coming back after Redis drops it.
 */
class RedisSharedStoreConformanceTest extends SharedStoreConformanceTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    @Override
    protected ChatStore newStore(StoreOptions options) throws StoreException {
        return RedisStore.open(address(), fastReconnect(), options);
    }

    @Override
    protected SharedStore anotherNode(SharedStore store) throws StoreException {
        return (SharedStore) closesAfterTest(RedisStore.open(address(), fastReconnect(), StoreOptions.defaults()));
    }

    /** Where the stores under test reach Redis, and as whom. */
    protected RedisAddress address() {
        return redis.address();
    }

    private static RedisOptions fastReconnect() {
        return RedisOptions.defaults().withReconnectDelays(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    @Test
    void subscribesAgainAfterRedisDropsTheHintConnectionAndSaysHintsMayHaveBeenLost() throws Exception {
        SharedStore one = (SharedStore) open(OPTIONS);
        SharedStore two = anotherNode(one);
        long conversation = one.create("alice", List.of());
        var hints = new LinkedBlockingQueue<String>();
        try (var subscription = two.subscribe(recordingInto(hints))) {
            awaitHint(hints, "lost", () -> { });
            try (var admin = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
                assertThat(admin.call(List.of("CLIENT", "KILL", "TYPE", "pubsub"))).isEqualTo(1L);
            }
            awaitHint(hints, "lost", () -> { });
            awaitHint(hints, "changed " + conversation,
                    () -> append(one, conversation, "alice", 1, "after the reconnect"));
        }
    }
}
