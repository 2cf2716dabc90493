package dev.parley.server;

import dev.parley.server.store.RedisFixture;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreOptions;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every scenario of {@link ImServerTest} on two nodes, each with its own {@link RedisStore} (its
 * own connections and hint subscription) to one real {@code redis-server}, emptied before each test.
 */
class RedisImServerOnTwoNodesTest extends ImServerOnTwoNodesTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    @Override
    protected SharedStore storeForNode() throws Exception {
        return RedisStore.open(redis.address(), StoreOptions.defaults());
    }
}
