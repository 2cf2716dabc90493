package dev.parley.server.store;

import dev.parley.server.store.ChatStore.Direction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ChatStore} must do; subclassed once per store (and, for those that keep files,
 * through {@link PersistentStoreConformanceTest}). A subclass opens a fresh, empty store.
 */
public abstract class ChatStoreConformanceTest {

    protected static final StoreOptions OPTIONS = new StoreOptions(1_000, 50, StoreOptions.DEFAULT_MAX_BATCH_SIZE);

    private final List<ChatStore> opened = new ArrayList<>();

    /** A new, empty store with {@code options}. */
    protected abstract ChatStore newStore(StoreOptions options) throws Exception;

    /** Opens a store and closes it after the test. */
    protected ChatStore open(StoreOptions options) throws Exception {
        ChatStore store = newStore(options);
        opened.add(store);
        return store;
    }

    /** Remembers {@code store} to be closed after the test. */
    protected ChatStore closesAfterTest(ChatStore store) {
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ChatStore::close);
    }

    protected static StoredMessage append(ChatStore store, long conversation, String sender, long clientId,
                                          String text) {
        return store.append(conversation, sender, clientId, text).toCompletableFuture().join().message();
    }

    @Test
    void numbersEachConversationsMessagesDenselyFromOneUnderConcurrentAppends() throws Exception {
        ChatStore store = open(OPTIONS);
        long first = store.create("alice", List.of("bob"));
        long second = store.create("bob", List.of("alice"));
        int threads = 4;
        int perThread = 150;
        List<Future<List<CompletableFuture<Appended>>>> work = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                String sender = "user" + t;
                work.add(pool.submit(() -> {
                    List<CompletableFuture<Appended>> appends = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        appends.add(store.append(i % 2 == 0 ? first : second, sender, i + 1, sender + " " + i)
                                .toCompletableFuture());
                    }
                    return appends;
                }));
            }
        }
        Map<Long, List<Long>> sequences = Map.of(first, new ArrayList<>(), second, new ArrayList<>());
        for (var appends : work) {
            for (var append : appends.get()) {
                StoredMessage message = append.join().message();
                sequences.get(message.conversationId()).add(message.sequence());
            }
        }
        long each = threads * perThread / 2;
        for (long conversation : List.of(first, second)) {
            assertThat(sequences.get(conversation)).as("conversation %d", conversation)
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, each).boxed().toList());
            assertThat(readAll(store, conversation)).extracting(StoredMessage::sequence)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, each).boxed().toList());
        }
    }

    @Test
    void storesAResendWithTheSameClientMessageIdOnce() throws Exception {
        ChatStore store = open(OPTIONS);
        long conversation = store.create("alice", List.of("bob"));
        Appended original = store.append(conversation, "alice", 7, "hello").toCompletableFuture().join();
        Appended resend = store.append(conversation, "alice", 7, "hello").toCompletableFuture().join();

        assertThat(original.duplicate()).isFalse();
        assertThat(resend.duplicate()).isTrue();
        assertThat(resend.message().sequence()).isEqualTo(original.message().sequence());
        assertThat(resend.message().timestampMillis()).isEqualTo(original.message().timestampMillis());
        assertThat(readAll(store, conversation)).hasSize(1);
    }

    @Test
    void keepsTheSameClientMessageIdOfDifferentSendersAndMessagesWithoutOne() throws Exception {
        ChatStore store = open(OPTIONS);
        long conversation = store.create("alice", List.of("bob"));
        append(store, conversation, "alice", 1, "from alice");
        append(store, conversation, "bob", 1, "from bob");
        append(store, conversation, "bob", 0, "no id");
        append(store, conversation, "bob", 0, "no id");

        assertThat(readAll(store, conversation)).extracting(StoredMessage::text)
                .containsExactly("from alice", "from bob", "no id", "no id");
    }

    @Test
    void keepsTheRetainedNumberOfMessagesAndSaysFromWhichOneHistoryIsKept() throws Exception {
        ChatStore store = open(new StoreOptions(5, 50, 100));
        long conversation = store.create("alice", List.of());
        for (int i = 1; i <= 12; i++) {
            append(store, conversation, "alice", i, "m" + i);
        }

        HistoryPage page = store.history(conversation, 1, Direction.NEWER, 50);

        assertThat(page.firstSequence()).isEqualTo(8);
        assertThat(page.lastSequence()).isEqualTo(12);
        assertThat(page.messages()).extracting(StoredMessage::sequence).containsExactly(8L, 9L, 10L, 11L, 12L);
    }

    @Test
    void pagesThroughHistoryOlderAndNewer() throws Exception {
        ChatStore store = open(OPTIONS);
        long conversation = store.create("alice", List.of());
        for (int i = 1; i <= 20; i++) {
            append(store, conversation, "alice", 0, "m" + i);
        }

        assertThat(store.history(conversation, 5, Direction.NEWER, 3).messages())
                .extracting(StoredMessage::text).containsExactly("m5", "m6", "m7");
        assertThat(store.history(conversation, 5, Direction.OLDER, 3).messages())
                .extracting(StoredMessage::text).containsExactly("m3", "m4", "m5");
        assertThat(store.history(conversation, 2, Direction.OLDER, 10).messages())
                .extracting(StoredMessage::text).containsExactly("m1", "m2");
        assertThat(store.history(conversation, Long.MAX_VALUE, Direction.OLDER, 2).messages())
                .extracting(StoredMessage::text).containsExactly("m19", "m20");
        assertThat(store.history(conversation, 21, Direction.NEWER, 10).messages()).isEmpty();
        HistoryPage empty = store.history(store.create("bob", List.of()), 1, Direction.NEWER, 10);
        assertThat(empty.messages()).isEmpty();
        assertThat(empty.firstSequence()).isEqualTo(1);
        assertThat(empty.lastSequence()).isZero();
    }

    @Test
    void boundsAPageByItsMaximumSizeWhateverIsAskedFor() throws Exception {
        ChatStore store = open(new StoreOptions(1_000, 10, 100));
        long conversation = store.create("alice", List.of());
        for (int i = 1; i <= 30; i++) {
            append(store, conversation, "alice", 0, "m" + i);
        }

        assertThat(store.history(conversation, 1, Direction.NEWER, Integer.MAX_VALUE).messages()).hasSize(10);
        assertThat(store.history(conversation, 1, Direction.NEWER, -5).messages()).isEmpty();
        assertThat(store.history(conversation, Long.MIN_VALUE, Direction.NEWER, 3).messages())
                .extracting(StoredMessage::sequence).containsExactly(1L, 2L, 3L);
        assertThat(store.history(conversation, -1, Direction.OLDER, 3).messages()).isEmpty();
    }

    @Test
    void refusesEveryOperationOnAConversationThatDoesNotExist() throws Exception {
        ChatStore store = open(OPTIONS);

        assertThatThrownBy(() -> store.join(42, "alice")).isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown conversation 42");
        assertThatThrownBy(() -> store.leave(42, "alice")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.isInvited(42, "alice")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.history(42, 1, Direction.NEWER, 10)).isInstanceOf(StoreException.class);
        assertThat(store.append(42, "alice", 1, "hi").toCompletableFuture())
                .failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableThat().havingRootCause().isInstanceOf(StoreException.class);
    }

    @Test
    void endsAConversationWhenItsLastMemberLeavesAndNeverGivesItsIdAgain() throws Exception {
        ChatStore store = open(OPTIONS);
        long first = store.create("alice", List.of("bob"));
        store.join(first, "bob");
        append(store, first, "alice", 1, "hi");

        assertThat(store.leave(first, "alice")).isFalse();
        assertThat(store.leave(first, "bob")).isTrue();
        long second = store.create("carol", List.of());

        assertThat(second).isGreaterThan(first);
        assertThat(store.conversations()).containsOnlyKeys(second);
        assertThatThrownBy(() -> store.history(first, 1, Direction.NEWER, 10)).isInstanceOf(StoreException.class);
    }

    @Test
    void keepsMembersInTheOrderTheyJoinedAndInvitationsPerUser() throws Exception {
        ChatStore store = open(OPTIONS);
        long conversation = store.create("alice", List.of("bob", "carol"));
        store.join(conversation, "carol");
        store.join(conversation, "bob");
        store.join(conversation, "bob");

        assertThat(store.conversations()).containsExactly(Map.entry(conversation, List.of("alice", "carol", "bob")));
        assertThat(store.isInvited(conversation, "alice")).isTrue();
        assertThat(store.isInvited(conversation, "bob")).isTrue();
        assertThat(store.isInvited(conversation, "mallory")).isFalse();
    }

    @Test
    void stampsMessagesWithTheTimeTheyWereStored() throws Exception {
        long before = System.currentTimeMillis();
        ChatStore store = open(OPTIONS);
        long conversation = store.create("alice", List.of());
        StoredMessage message = append(store, conversation, "alice", 1, "hi");

        assertThat(message.timestampMillis()).isBetween(before, System.currentTimeMillis());
        assertThat(message).isEqualTo(new StoredMessage(conversation, 1, message.timestampMillis(), "alice", 1, "hi"));
    }

    /** Every message kept, page by page. */
    protected static List<StoredMessage> readAll(ChatStore store, long conversation) throws StoreException {
        List<StoredMessage> all = new ArrayList<>();
        long from = 1;
        for (int pages = 0; pages < 10_000; pages++) {
            HistoryPage page = store.history(conversation, from, Direction.NEWER, Integer.MAX_VALUE);
            if (page.messages().isEmpty()) {
                return all;
            }
            all.addAll(page.messages());
            from = page.messages().getLast().sequence() + 1;
        }
        throw new AssertionError("history did not end within 10,000 pages");
    }
}
