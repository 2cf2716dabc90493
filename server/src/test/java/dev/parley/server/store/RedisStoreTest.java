package dev.parley.server.store;

import dev.parley.server.RefusingPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The conformance suite over {@link RedisStore} on a real {@code redis-server} ("reopening" is a
 * new store over the same Redis), and what is its own: pipelining, losing and regaining Redis.
 */
class RedisStoreTest extends PersistentStoreConformanceTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    @Override
    protected ChatStore open(Path directory, StoreOptions options) throws StoreException {
        return RedisStore.open(redis.address(), options);
    }

    @Test
    void sendsAppendsThatArriveTogetherInFewPipelines() throws Exception {
        var store = (RedisStore) open(OPTIONS);
        long conversation = store.create("alice", List.of());
        long before = store.pipelines();
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        for (int i = 1; i <= 1_000; i++) {
            appends.add(store.append(conversation, "alice", i, "m" + i).toCompletableFuture());
        }
        appends.forEach(CompletableFuture::join);

        assertThat(store.pipelines() - before).isLessThan(500);
        assertThat(readAll(store, conversation)).hasSize(1_000);
    }

    @Test
    void indexesTheMembersOfConversationsStoredBeforeUsersHadIndexes() throws Exception {
        var store = (RedisStore) open(OPTIONS);
        long conversation = store.create("alice", List.of("bob"));
        store.join(conversation, "bob");
        // What a store written before the indexes holds: the conversation, no index, no mark.
        store.call(List.of(List.of("DEL", RedisStore.conversationsKey("alice"), RedisStore.conversationsKey("bob"),
                RedisStore.INDEXED)), replies -> null);
        assertThat(store.conversationsOf("bob")).isEmpty();

        var upgraded = (RedisStore) open(OPTIONS);

        assertThat(upgraded.conversationsOf("alice")).containsExactly(conversation);
        assertThat(upgraded.conversationsOf("bob")).containsExactly(conversation);
    }

    @Test
    void trimsPastRetentionAndForgetsTrimmedClientIdsWhenManyAppendsGoInOneCall() throws Exception {
        ChatStore store = open(new StoreOptions(10, 50, 1_000));
        long conversation = store.create("alice", List.of());
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            appends.add(store.append(conversation, "alice", i, "m" + i).toCompletableFuture());
        }
        appends.forEach(CompletableFuture::join);

        assertThat(readAll(store, conversation)).extracting(StoredMessage::sequence)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(491, 500).boxed().toList());
        assertThat(store.append(conversation, "alice", 500, "m500").toCompletableFuture().join().duplicate()).isTrue();
        assertThat(store.append(conversation, "alice", 1, "m1 again").toCompletableFuture().join().duplicate()).isFalse();
    }

    @Test
    void keepsNamesAndTextsInAnyScriptIntact() throws Exception {
        ChatStore store = open(OPTIONS);
        long conversation = store.create("zoë", List.of("ß\r\n"));
        store.join(conversation, "Ω");
        append(store, conversation, "Ω", 1, "привет 👋\r\n$3\r\n*");

        assertThat(store.conversations()).containsEntry(conversation, List.of("zoë", "Ω"));
        assertThat(store.isInvited(conversation, "ß\r\n")).isTrue();
        assertThat(readAll(store, conversation)).extracting(StoredMessage::text).containsExactly("привет 👋\r\n$3\r\n*");
    }

    @Test
    void keepsEveryAcknowledgedMessageWhenRedisIsKilledAndRestarted() throws Exception {
        ChatStore store = open(OPTIONS);
        long conversation = store.create("alice", List.of());
        for (int i = 1; i <= 50; i++) {
            append(store, conversation, "alice", i, "m" + i);
        }

        redis.process().kill();
        redis.process().restart();

        ChatStore reopened = open(OPTIONS);
        assertThat(readAll(reopened, conversation)).hasSize(50);
        assertThat(append(reopened, conversation, "alice", 51, "m51").sequence()).isEqualTo(51);
    }

    @Test
    void refusesWritesSayingTheStoreIsUnavailableWhileRedisIsDownAndCarriesOnAfter() throws Exception {
        var fast = RedisOptions.defaults().withReconnectDelays(Duration.ofMillis(10), Duration.ofMillis(50));
        ChatStore store = closesAfterTest(RedisStore.open(redis.address(), fast, OPTIONS));
        long conversation = store.create("alice", List.of());
        append(store, conversation, "alice", 1, "before");

        redis.process().stop();
        assertThat(store.append(conversation, "alice", 2, "during").toCompletableFuture())
                .failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .withMessageContaining("store unavailable").withMessageContaining(redis.address().hostAndPort());
        redis.process().restart();

        StoredMessage after = awaitAppend(store, conversation, 3, "after");
        assertThat(after.sequence()).isEqualTo(2);
        assertThat(readAll(store, conversation)).extracting(StoredMessage::text).containsExactly("before", "after");
    }

    @Test
    void saysInOneLineWhenRedisCannotBeReachedAtStart() throws Exception {
        try (var refusing = new RefusingPort()) {
            RedisAddress nobody = RedisAddress.of("127.0.0.1", refusing.port());

            assertThatThrownBy(() -> RedisStore.open(nobody, OPTIONS)).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("cannot reach Redis at redis://" + nobody.hostAndPort() + ": ")
                    .hasMessageNotContaining("\n");
        }
    }

    /** Appends once the store has reconnected: each try is refused quickly while the backoff runs. */
    private static StoredMessage awaitAppend(ChatStore store, long conversation, long clientId, String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // Bounded by the deadline.
        while (true) {
            try {
                return store.append(conversation, "alice", clientId, text).toCompletableFuture().join().message();
            } catch (RuntimeException refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.onSpinWait();
            }
        }
    }
}
