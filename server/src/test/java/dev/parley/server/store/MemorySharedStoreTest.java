package dev.parley.server.store;

/** The shared-store conformance suite over {@link MemorySharedStore}: every node is handed the same instance. */
class MemorySharedStoreTest extends SharedStoreConformanceTest {

    @Override
    protected ChatStore newStore(StoreOptions options) {
        return MemorySharedStore.create(options);
    }

    @Override
    protected SharedStore anotherNode(SharedStore store) {
        return store;
    }
}
