package dev.parley.server.store;

/** The conformance suite over {@link MemoryStore}. */
class MemoryStoreTest extends ChatStoreConformanceTest {

    @Override
    protected ChatStore newStore(StoreOptions options) {
        return MemoryStore.create(options);
    }
}
