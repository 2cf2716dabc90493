package dev.parley.server.store;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
    void readsOneMembershipPerConversationOfTheUserNotPerConversationInTheStore() throws Exception {
        SharedStore store = (SharedStore) open(OPTIONS);
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(store.create("carol", List.of()));
        }
        store.join(all.get(3), "bob");
        store.join(all.get(40), "bob");
        try (var admin = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
            assertThat(admin.call(List.of("CONFIG", "RESETSTAT"))).isEqualTo("OK");

            assertThat(store.conversationsOf("bob")).containsExactly(all.get(3), all.get(40));

            String stats = (String) admin.call(List.of("INFO", "commandstats"));
            assertThat(stats).contains("cmdstat_zscore:calls=2,");
        }
    }

    @Test
    void leavesOutAndUnlistsConversationsInAUsersIndexTheyAreNotIn() throws Exception {
        SharedStore store = (SharedStore) open(OPTIONS);
        long theirs = store.create("bob", List.of());
        long another = store.create("carol", List.of());
        long ended = store.create("dave", List.of());
        store.leave(ended, "dave");
        long notYetGiven = ended + 100;
        try (var admin = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
            // As a node that died between the index's SADD and the join script would leave it.
            admin.call(List.of("SADD", RedisStore.conversationsKey("bob"), another, ended, notYetGiven));

            assertThat(store.conversationsOf("bob")).containsExactly(theirs);

            assertThat(admin.call(List.of("SMEMBERS", RedisStore.conversationsKey("bob"))))
                    .asInstanceOf(InstanceOfAssertFactories.LIST)
                    .containsExactlyInAnyOrder(Long.toString(theirs), Long.toString(another), Long.toString(notYetGiven));
        }
        store.join(another, "bob");
        assertThat(store.conversationsOf("bob")).containsExactly(theirs, another);
    }

    @Test
    void subscribesAgainAfterRedisDropsTheHintConnectionAndSaysHintsMayHaveBeenLost() throws Exception {
        var chat = conversationOnTwoNodes("alice", List.of());
        var hints = new LinkedBlockingQueue<String>();
        try (var subscription = chat.two().subscribe(recordingInto(hints))) {
            awaitHint(hints, "lost", () -> { });
            try (var admin = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
                assertThat(admin.call(List.of("CLIENT", "KILL", "TYPE", "pubsub"))).isEqualTo(1L);
            }
            awaitHint(hints, "lost", () -> { });
            awaitHint(hints, "changed " + chat.id(),
                    () -> append(chat.one(), chat.id(), "alice", 1, "after the reconnect"));
        }
    }

    /**
     * An append's hint carries its message up to {@link RedisOptions#maxCarriedBytes()} bytes of
     * hint, counted in UTF-8 (here texts of four-byte emoji), and is the cursor alone past it.
     */
    @Test
    void carriesAMessageInAHintOfExactlyTheLimitAndHintsTheCursorAloneOneByteOver() throws Exception {
        var chat = conversationOnTwoNodes("zoë", List.of());
        var carried = new LinkedBlockingQueue<Carried>();
        try (var subscription = chat.two().subscribe(carryingInto(chat.id(), carried))) {
            awaitCarried(carried, () -> append(chat.one(), chat.id(), "zoë", 0, "until hints come"));
            int limit = RedisOptions.DEFAULT_MAX_CARRIED_BYTES;
            ConversationSnapshot before = chat.one().snapshot(chat.id());
            long cursor = before.cursor() + 1;
            String under = textOfBytes(limit - hintBytesBesidesText(cursor - 1, cursor, before.lastSequence() + 1, 7,
                    "zoë", limit));
            String over = textOfBytes(limit + 1 - hintBytesBesidesText(cursor, cursor + 1, before.lastSequence() + 2, 8,
                    "zoë", limit));

            append(chat.one(), chat.id(), "zoë", 7, under);
            append(chat.one(), chat.id(), "zoë", 8, over);

            Carried first = nextAfter(carried, cursor - 1);
            assertThat(first.changes()).hasSize(1);
            assertThat(first.changes().getFirst().cursor()).isEqualTo(cursor);
            assertThat(first.changes().getFirst().message().text()).isEqualTo(under);
            assertThat(first.changes().getFirst().message().clientMessageId()).isEqualTo(7);
            assertThat(nextAfter(carried, cursor - 1)).as("the hint of the append over the limit")
                    .isEqualTo(new Carried(-1, List.of()));
        }
    }

    /** The next hint that is not of the appends before cursor {@code after}. */
    private static Carried nextAfter(LinkedBlockingQueue<Carried> carried, long after) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            Carried page = carried.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(page).as("a hint within %s", PATIENCE).isNotNull();
            if (page.changes().isEmpty() || page.after() >= after) {
                return page;
            }
        }
    }

    /**
     * The bytes of a hint that carries one message (see {@link RedisScripts#APPEND}) besides its
     * text, for a text that makes the hint about {@code total} bytes long.
     */
    private static int hintBytesBesidesText(long after, long cursor, long sequence, long clientId, String sender,
                                            int total) {
        int timestamp = Long.toString(System.currentTimeMillis()).length();
        String head = "P" + after + ";" + cursor + "," + sequence + "," + "0".repeat(timestamp) + "," + clientId + ","
                + sender.getBytes(StandardCharsets.UTF_8).length + ":" + sender + ",";
        int besides = head.getBytes(StandardCharsets.UTF_8).length + ":;".length();
        return besides + Integer.toString(total - besides).length();
    }

    /** A text of exactly {@code bytes} bytes of UTF-8: four-byte emoji, then as many one-byte letters as are left. */
    private static String textOfBytes(int bytes) {
        return "😀".repeat(bytes / 4) + "a".repeat(bytes % 4);
    }
}
