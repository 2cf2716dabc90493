package dev.parley.server.store;

/**
 * The limits of a {@link ChatStore}.
 *
 * @param retainedMessages messages kept per conversation; older ones are trimmed as new ones come
 *                         (default {@value #DEFAULT_RETAINED_MESSAGES})
 * @param maxPageSize      most messages one {@link ChatStore#history} page holds
 *                         (default {@value #DEFAULT_MAX_PAGE_SIZE})
 * @param maxBatchSize     most writes one transaction of {@link SqliteStore} holds
 *                         (default {@value #DEFAULT_MAX_BATCH_SIZE})
 */
public record StoreOptions(int retainedMessages, int maxPageSize, int maxBatchSize) {

    public static final int DEFAULT_RETAINED_MESSAGES = 10_000;
    public static final int DEFAULT_MAX_PAGE_SIZE = 200;
    public static final int DEFAULT_MAX_BATCH_SIZE = 1_000;

    public StoreOptions {
        requireAtLeastOne(retainedMessages, "retainedMessages");
        requireAtLeastOne(maxPageSize, "maxPageSize");
        requireAtLeastOne(maxBatchSize, "maxBatchSize");
    }

    /** The defaults above. */
    public static StoreOptions defaults() {
        return new StoreOptions(DEFAULT_RETAINED_MESSAGES, DEFAULT_MAX_PAGE_SIZE, DEFAULT_MAX_BATCH_SIZE);
    }

    /** These options keeping {@code messages} per conversation. */
    public StoreOptions withRetainedMessages(int messages) {
        return new StoreOptions(messages, maxPageSize, maxBatchSize);
    }

    private static void requireAtLeastOne(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, not " + value);
        }
    }
}
