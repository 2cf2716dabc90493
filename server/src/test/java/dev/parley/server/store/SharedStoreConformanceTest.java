package dev.parley.server.store;

import dev.parley.server.Eventually;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * What every {@link SharedStore} must do on top of {@link ChatStoreConformanceTest}: feeds that miss
 * nothing and keep one order whichever node wrote, hints, leases and presence. A subclass opens a
 * fresh, empty store and, through {@link #anotherNode}, a second handle on the same data as another
 * node would open it.
 */
public abstract class SharedStoreConformanceTest extends ChatStoreConformanceTest {

    /** Longest a test waits for something the store does by itself (a hint, a lease running out). */
    protected static final Duration PATIENCE = Duration.ofSeconds(10);

    /** A second handle on {@code store}'s data, as another node opens it; closed after the test. */
    protected abstract SharedStore anotherNode(SharedStore store) throws Exception;

    private SharedStore openShared() throws Exception {
        return (SharedStore) open(OPTIONS);
    }

    /** A conversation, {@code id}, created on node {@code one}, and another node, {@code two}, on the same data. */
    protected record SharedConversation(SharedStore one, SharedStore two, long id) {
    }

    /**
     * Opens a store and another node on its data, and creates on the first a conversation of
     * {@code creator}'s, inviting {@code invited}.
     */
    protected SharedConversation conversationOnTwoNodes(String creator, List<String> invited) throws Exception {
        SharedStore one = openShared();
        SharedStore two = anotherNode(one);
        return new SharedConversation(one, two, one.create(creator, invited));
    }

    private static List<Change> readFeed(SharedStore store, long conversation, long after) throws StoreException {
        List<Change> all = new ArrayList<>();
        long cursor = after;
        for (int pages = 0; pages < 10_000; pages++) {
            ChangePage page = store.changes(conversation, cursor, 7);
            if (page.changes().isEmpty()) {
                return all;
            }
            all.addAll(page.changes());
            cursor = page.changes().getLast().cursor();
        }
        throw new AssertionError("feed of conversation " + conversation + " never ends");
    }

    @Test
    void feedsEveryJoinPostAndLeaveSinceItsCreationInOrderAfterACursor() throws Exception {
        SharedStore store = openShared();
        long conversation = store.create("alice", List.of("alice", "bob"));
        long start = SharedStore.NEW_FEED_CURSOR;
        store.join(conversation, "bob");
        append(store, conversation, "alice", 1, "hello");
        append(store, conversation, "bob", 1, "hi");
        store.leave(conversation, "bob");

        List<Change> changes = readFeed(store, conversation, start);

        assertThat(changes).hasSize(4);
        assertThat(changes.get(0)).isEqualTo(new Change.Joined(changes.get(0).cursor(), conversation, "bob"));
        assertThat(((Change.Posted) changes.get(1)).message().text()).isEqualTo("hello");
        assertThat(((Change.Posted) changes.get(2)).message().sequence()).isEqualTo(2);
        assertThat(changes.get(3)).isEqualTo(new Change.Left(changes.get(3).cursor(), conversation, "bob"));
        assertThat(changes).extracting(Change::cursor).isSorted().doesNotHaveDuplicates()
                .allMatch(cursor -> cursor > start);
        assertThat(readFeed(store, conversation, changes.get(1).cursor())).containsExactlyElementsOf(changes.subList(2, 4));
        assertThat(store.changes(conversation, changes.getLast().cursor(), 10).lastCursor())
                .isEqualTo(changes.getLast().cursor());
    }

    @Test
    void readsSeveralFeedsAtOnceAsEachAlone() throws Exception {
        SharedStore store = openShared();
        long busy = store.create("alice", List.of("bob"));
        long quiet = store.create("carol", List.of());
        long ended = store.create("dave", List.of());
        store.leave(ended, "dave");
        store.join(busy, "bob");
        for (int i = 1; i <= 5; i++) {
            append(store, busy, "alice", i, "m" + i);
        }
        long busyAfter = readFeed(store, busy, 0).getFirst().cursor();
        Map<Long, Long> after = new LinkedHashMap<>();
        after.put(busy, busyAfter);
        after.put(quiet, store.snapshot(quiet).cursor());
        after.put(ended, 0L);

        Map<Long, ChangePage> pages = store.changes(after, 3);

        assertThat(pages).containsOnlyKeys(busy, quiet, ended);
        for (var cursor : after.entrySet()) {
            assertThat(pages.get(cursor.getKey())).as("conversation %d", cursor.getKey())
                    .isEqualTo(store.changes(cursor.getKey(), cursor.getValue(), 3));
        }
        assertThat(pages.get(busy).changes()).hasSize(3);
        assertThat(pages.get(quiet).changes()).isEmpty();
        assertThat(pages.get(ended).ended()).isTrue();
    }

    @Test
    void recordsNothingForADuplicateAppendOrASecondJoin() throws Exception {
        SharedStore store = openShared();
        long conversation = store.create("alice", List.of("bob"));
        long start = store.snapshot(conversation).cursor();
        store.join(conversation, "bob");
        store.join(conversation, "bob");
        append(store, conversation, "alice", 5, "once");
        append(store, conversation, "alice", 5, "once");

        assertThat(readFeed(store, conversation, start)).hasSize(2);
    }

    @Test
    void snapshotSaysMembersLastSequenceAndTheCursorItReflects() throws Exception {
        SharedStore store = openShared();
        long conversation = store.create("alice", List.of("bob"));
        store.join(conversation, "bob");
        append(store, conversation, "bob", 1, "one");
        append(store, conversation, "bob", 2, "two");

        ConversationSnapshot snapshot = store.snapshot(conversation);
        append(store, conversation, "alice", 1, "three");

        assertThat(snapshot.members()).containsExactly("alice", "bob");
        assertThat(snapshot.lastSequence()).isEqualTo(2);
        assertThat(readFeed(store, conversation, snapshot.cursor())).singleElement()
                .satisfies(change -> assertThat(((Change.Posted) change).message().text()).isEqualTo("three"));
        assertThatThrownBy(() -> store.snapshot(conversation + 100)).isInstanceOf(StoreException.class);
    }

    @Test
    void aConversationThatEndedHasAnEndedFeedAndLeavesTheCreatedFeed() throws Exception {
        SharedStore store = openShared();
        long kept = store.create("alice", List.of());
        long ended = store.create("bob", List.of("carol"));
        store.leave(ended, "bob");

        assertThat(store.changes(ended, 0, 10).ended()).isTrue();
        assertThat(store.changes(ended, 0, 10).changes()).isEmpty();
        assertThat(store.changes(kept, 0, 10).ended()).isFalse();
        assertThat(store.created(0, 10).changes()).extracting(Change::conversationId).containsExactly(kept);
    }

    @Test
    void feedsCreatedConversationsInIdOrderWithCreatorAndInvited() throws Exception {
        SharedStore store = openShared();
        long first = store.create("alice", List.of("alice", "bob"));
        long second = store.create("carol", List.of("carol"));

        ChangePage all = store.created(0, 10);
        ChangePage later = store.created(first, 10);

        assertThat(all.changes()).containsExactly(
                new Change.Created(first, first, "alice", List.of("alice", "bob")),
                new Change.Created(second, second, "carol", List.of("carol")));
        assertThat(later.changes()).extracting(Change::conversationId).containsExactly(second);
        assertThat(all.lastCursor()).isEqualTo(second);
    }

    @Test
    void feedsAppendsFromTwoNodesInTheOneOrderOfTheirSequenceNumbers() throws Exception {
        var chat = conversationOnTwoNodes("alice", List.of("bob"));
        chat.two().join(chat.id(), "bob");
        long start = chat.one().snapshot(chat.id()).cursor();
        int each = 100;
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            var fromOne = pool.submit(() -> sendAll(chat.one(), chat.id(), "alice", each));
            var fromTwo = pool.submit(() -> sendAll(chat.two(), chat.id(), "bob", each));
            appends.addAll(fromOne.get());
            appends.addAll(fromTwo.get());
        }
        appends.forEach(CompletableFuture::join);

        List<Change> seenByOne = readFeed(chat.one(), chat.id(), start);
        List<Change> seenByTwo = readFeed(chat.two(), chat.id(), start);

        assertThat(seenByOne).containsExactlyElementsOf(seenByTwo);
        assertThat(seenByOne).extracting(change -> ((Change.Posted) change).message().sequence())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * each).boxed().toList());
    }

    private static List<CompletableFuture<Appended>> sendAll(SharedStore store, long conversation, String sender,
                                                             int count) {
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            appends.add(store.append(conversation, sender, i, sender + " " + i).toCompletableFuture());
        }
        return appends;
    }

    @Test
    void saysWhenChangesAReaderHadNotReadWereTrimmed() throws Exception {
        SharedStore store = (SharedStore) open(new StoreOptions(5, 50, 100));
        long conversation = store.create("alice", List.of());
        for (int i = 1; i <= 12; i++) {
            append(store, conversation, "alice", i, "m" + i);
        }

        ChangePage page = store.changes(conversation, 0, 50);

        assertThat(page.missedAfter(0)).isTrue();
        assertThat(page.changes()).isNotEmpty();
        assertThat(page.changes().getFirst().cursor()).isGreaterThanOrEqualTo(page.firstCursor());
        assertThat(page.missedAfter(page.lastCursor())).isFalse();
    }

    @Test
    void listsTheConversationsOfAUser() throws Exception {
        SharedStore store = openShared();
        long first = store.create("alice", List.of("bob"));
        long second = store.create("bob", List.of());
        long third = store.create("carol", List.of());
        store.join(first, "bob");

        assertThat(store.conversationsOf("bob")).containsExactly(first, second);
        assertThat(store.conversationsOf("carol")).containsExactly(third);
        assertThat(store.conversationsOf("dave")).isEmpty();
    }

    @Test
    void listsExactlyTheTwoConversationsOfAUserInTwoOfFiftyUntilTheyLeave() throws Exception {
        SharedStore store = openShared();
        SharedStore two = anotherNode(store);
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(store.create("carol", List.of("bob")));
        }
        store.join(all.get(7), "bob");
        two.join(all.get(31), "bob");

        assertThat(two.conversationsOf("bob")).containsExactly(all.get(7), all.get(31));
        store.leave(all.get(7), "bob");
        assertThat(two.conversationsOf("bob")).containsExactly(all.get(31));
        two.leave(all.get(31), "bob");
        assertThat(store.conversationsOf("bob")).isEmpty();
        assertThat(store.conversationsOf("carol")).containsExactlyElementsOf(all);
    }

    @Test
    void forgetsTheConversationsOfAUserThatEndedWhenTheyLeft() throws Exception {
        SharedStore store = openShared();
        long alone = store.create("alice", List.of());
        long shared = store.create("alice", List.of("bob"));
        store.join(shared, "bob");

        assertThat(store.leave(alone, "alice")).isTrue();
        store.leave(shared, "alice");
        assertThat(store.conversationsOf("alice")).isEmpty();
        assertThat(store.leave(shared, "bob")).isTrue();
        assertThat(store.conversationsOf("bob")).isEmpty();
    }

    @Test
    void hintsAnotherNodeOfAppendsJoinsCreationsAndPresence() throws Exception {
        SharedStore one = openShared();
        SharedStore two = anotherNode(one);
        var hints = new LinkedBlockingQueue<String>();
        try (var subscription = two.subscribe(recordingInto(hints))) {
            awaitHint(hints, "created", () -> {
                try {
                    one.create("alice", List.of());
                } catch (StoreException e) {
                    throw new AssertionError(e);
                }
            });
            long conversation = one.created(0, 10).changes().getFirst().conversationId();
            awaitHint(hints, "changed " + conversation, () -> append(one, conversation, "alice", 0, "hi"));
            awaitHint(hints, "presence", () -> {
                try {
                    one.putPresence("alice", "alice-look", new Presence("alice", "online", "node-1", false), false);
                } catch (StoreException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    /**
     * A store's hint of an append may carry the changes it posted (Redis's and the memory store's do):
     * they must be the feed's own changes right after the cursor the hint names, with their texts
     * intact whatever those hold, and a duplicate must carry nothing.
     */
    @Test
    void hintsCarryTheFeedsOwnPostedChangesRightAfterTheirCursorWhateverTheTextsHold() throws Exception {
        var chat = conversationOnTwoNodes("zoë", List.of());
        var carried = new LinkedBlockingQueue<Carried>();
        try (var subscription = chat.two().subscribe(carryingInto(chat.id(), carried))) {
            awaitCarried(carried, () -> append(chat.one(), chat.id(), "zoë", 0, "until hints come"));
            long start = chat.one().snapshot(chat.id()).cursor();
            List<String> texts = List.of("emoji 😀, CJK 中文字", "two\nlines\r\n", "  spaces  ", "",
                    "P1;2,3,4,5,1:x,1:y;", "a zero \0 byte", "99", "ß".repeat(3_000));
            List<CompletableFuture<Appended>> appends = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                appends.add(chat.one().append(chat.id(), "zoë", 100 + i, texts.get(i)).toCompletableFuture());
            }
            appends.add(chat.one().append(chat.id(), "zoë", 100, "a resend, stored once").toCompletableFuture());
            appends.forEach(CompletableFuture::join);
            assertThat(chat.one().snapshot(chat.id()).cursor()).isEqualTo(start + texts.size());

            Map<Long, Change> heard = new TreeMap<>();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (heard.size() < texts.size()) {
                Carried page = carried.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (page == null) {
                    fail("carried %s of %s changes within %s", heard.size(), texts.size(), PATIENCE);
                }
                if (page.after() < start) {
                    continue; // a hint of the appends awaited above
                }
                assertThat(page.changes()).as("carried after %s", page.after())
                        .isEqualTo(chat.two().changes(chat.id(), page.after(), page.changes().size()).changes());
                page.changes().forEach(change -> heard.put(change.cursor(), change));
            }
            assertThat(heard.keySet()).containsExactlyElementsOf(
                    LongStream.rangeClosed(start + 1, start + texts.size()).boxed().toList());
            assertThat(heard.values()).extracting(change -> ((Change.Posted) change).message().text())
                    .containsExactlyElementsOf(texts);
        }
    }

    /** A carrying hint as a listener was told it: {@code changes} right after cursor {@code after}. */
    protected record Carried(long after, List<Change.Posted> changes) {
    }

    /**
     * A listener that adds each carrying hint of {@code conversation} to {@code carried}, and a hint
     * of it that carries nothing as a {@code Carried} with no changes.
     */
    protected static StoreListener carryingInto(long conversation, LinkedBlockingQueue<Carried> carried) {
        return new StoreListener() {
            @Override
            public void changesPosted(long conversationId, long after, List<Change.Posted> changes) {
                if (conversationId == conversation) {
                    carried.add(new Carried(after, changes));
                }
            }

            @Override
            public void conversationChanged(long conversationId) {
                if (conversationId == conversation) {
                    carried.add(new Carried(-1, List.of()));
                }
            }

            @Override
            public void conversationCreated(long conversationId) {
            }

            @Override
            public void presenceChanged() {
            }
        };
    }

    /**
     * Runs {@code change} until a hint that carries changes comes (a subscription may not be in
     * place when {@code subscribe} returns), making it again after each second without one.
     */
    protected static void awaitCarried(LinkedBlockingQueue<Carried> carried, Runnable change)
            throws InterruptedException {
        awaitPolled(carried, page -> !page.changes().isEmpty(), change, "a hint carrying changes");
    }

    /**
     * A listener that adds each hint to {@code hints} as "changed ID", "created ID", "presence" or
     * "lost" (hints may have been lost).
     */
    protected static StoreListener recordingInto(LinkedBlockingQueue<String> hints) {
        return new StoreListener() {
            @Override
            public void conversationChanged(long conversationId) {
                hints.add("changed " + conversationId);
            }

            @Override
            public void conversationCreated(long conversationId) {
                hints.add("created " + conversationId);
            }

            @Override
            public void presenceChanged() {
                hints.add("presence");
            }

            @Override
            public void hintsMayHaveBeenLost() {
                hints.add("lost");
            }
        };
    }

    /**
     * Runs {@code change}, then waits (bounded) for a hint starting with {@code expected}, ignoring
     * others. Hints may be lost (the SPI says so: a subscription may not be in place yet when
     * {@code subscribe} returns, as Redis's is not), so the change is made again after each second
     * without that hint.
     */
    protected static void awaitHint(LinkedBlockingQueue<String> hints, String expected, Runnable change)
            throws InterruptedException {
        awaitPolled(hints, hint -> hint.startsWith(expected), change, "hint '" + expected + "'");
    }

    /** Runs {@code change} until {@code queue} has an item that is {@code wanted}, again after each second without. */
    private static <T> void awaitPolled(LinkedBlockingQueue<T> queue, Predicate<T> wanted, Runnable change, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            change.run();
            long again = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            while (System.nanoTime() < again) {
                T item = queue.poll(again - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (item != null && wanted.test(item)) {
                    return;
                }
            }
        }
        fail("no %s within %s", what, PATIENCE);
    }

    @Test
    void aNewLeaseIsNotLiveBeforeAndIsAfterwards() throws Exception {
        SharedStore store = openShared();

        assertThat(store.renewLease("node-1", Duration.ofMinutes(1))).isFalse();
        assertThat(store.renewLease("node-1", Duration.ofMinutes(1))).isTrue();
        assertThat(anotherNode(store).liveNodes()).containsExactly("node-1");
    }

    @Test
    void usersOfANodeWhoseLeaseRunsOutGoOfflineEverywhereReadAllOrSome() throws Exception {
        SharedStore one = openShared();
        SharedStore two = anotherNode(one);
        one.renewLease("node-1", Duration.ofMinutes(1));
        two.renewLease("node-2", Duration.ofMinutes(1));
        var alice = new Presence("alice", "online", "node-1", false);
        var bob = new Presence("Bob", "away", "node-2", true);
        one.putPresence("alice", "alice-look", alice, false);
        two.putPresence("bob", "bob-look", bob, false);

        assertThat(two.presence()).containsOnlyKeys("alice", "bob");
        assertThat(two.presence(List.of("alice", "dave"))).isEqualTo(Map.of("alice", alice));
        assertThat(two.presence(List.of())).isEmpty();
        runOut(one, two);

        assertThat(two.presence()).isEqualTo(Map.of("bob", bob));
        assertThat(two.presence(List.of("alice", "bob"))).isEqualTo(Map.of("bob", bob));
        assertThat(one.renewLease("node-1", Duration.ofMinutes(1))).as("renewing an expired lease").isFalse();
    }

    /**
     * Lets node-1's lease, held through {@code one}, run out now, as when the node dies, and waits
     * until {@code two} sees it gone. The tests hold long leases until then: a short one could run
     * out on a slow machine before the test had looked at the live node.
     */
    private static void runOut(SharedStore one, SharedStore two) throws Exception {
        one.renewLease("node-1", Duration.ofMillis(1));
        Eventually.await(PATIENCE, "node-1's lease to run out", () -> !two.liveNodes().contains("node-1"));
    }

    /** Two nodes on one store's data, each with a long lease, and alice online on node-1, claiming "allce". */
    private TwoNodes twoNodesWithAlice() throws Exception {
        SharedStore one = openShared();
        SharedStore two = anotherNode(one);
        one.renewLease("node-1", Duration.ofMinutes(1));
        two.renewLease("node-2", Duration.ofMinutes(1));
        var alice = new Presence("alice", "online", "node-1", false);
        assertThat(one.putPresence("alice", "allce", alice, false)).isEmpty();
        return new TwoNodes(one, two, alice);
    }

    private record TwoNodes(SharedStore one, SharedStore two, Presence alice) {
    }

    @Test
    void aLookAlikeOfAUserOnlineIsRefusedAndWritesNothingUntilTheirNodeLetsThemGo() throws Exception {
        TwoNodes nodes = twoNodesWithAlice();
        var impostor = new Presence("a1ice", "online", "node-2", false);

        assertThat(nodes.two().putPresence("a1ice", "allce", impostor, false)).contains(nodes.alice());
        assertThat(nodes.two().putPresence("a1ice", "allce", impostor, true)).as("taking over").contains(nodes.alice());
        assertThat(nodes.two().presence()).isEqualTo(Map.of("alice", nodes.alice()));
        assertThat(nodes.two().putPresence("aiice", "allce", new Presence("aIice", "online", "node-2", false), false))
                .as("alice's claim, not overwritten").contains(nodes.alice());
        var away = new Presence("alice", "away", "node-1", true);
        assertThat(nodes.one().putPresence("alice", "allce", away, false)).as("alice's own node again").isEmpty();
        assertThat(nodes.two().putPresence("a1ice", "allce", impostor, false)).contains(away);

        nodes.one().releaseLease("node-1");

        assertThat(nodes.two().putPresence("a1ice", "allce", impostor, false)).isEmpty();
        assertThat(nodes.one().presence()).isEqualTo(Map.of("a1ice", impostor));
    }

    @Test
    void aUserConnectedOnAnotherLiveNodeIsRefusedUnlessTakenOverAndAHeldOneIsNot() throws Exception {
        TwoNodes nodes = twoNodesWithAlice();
        var moved = new Presence("alice", "back", "node-2", false);

        assertThat(nodes.two().putPresence("alice", "allce", moved, false)).contains(nodes.alice());
        assertThat(nodes.two().presence()).isEqualTo(Map.of("alice", nodes.alice()));
        assertThat(nodes.two().putPresence("alice", "allce", moved, true)).isEmpty();
        assertThat(nodes.one().putPresence("alice", "allce", new Presence("alice", "busy", "node-1", false), false))
                .as("the node the user left, re-putting them").contains(moved);
        var held = new Presence("alice", "back", "node-2", true);
        assertThat(nodes.two().putPresence("alice", "allce", held, false)).isEmpty();
        assertThat(nodes.one().putPresence("alice", "allce", nodes.alice(), false)).as("over a held user").isEmpty();

        assertThat(nodes.two().presence()).isEqualTo(Map.of("alice", nodes.alice()));
    }

    @Test
    void aUserStopsNobodyOnceTheirEntryIsRemovedOrTheirNodeDies() throws Exception {
        TwoNodes nodes = twoNodesWithAlice();
        var impostor = new Presence("aIice", "online", "node-2", false);
        var moved = new Presence("alice", "back", "node-2", false);

        nodes.one().removePresence("alice", "node-1");
        assertThat(nodes.two().putPresence("aiice", "allce", impostor, false)).as("after alice's entry was removed")
                .isEmpty();
        nodes.two().removePresence("aiice", "node-2");

        assertThat(nodes.one().putPresence("alice", "allce", nodes.alice(), false)).isEmpty();
        runOut(nodes.one(), nodes.two());
        assertThat(nodes.two().putPresence("alice", "allce", moved, false)).as("after alice's node died").isEmpty();
        nodes.two().removePresence("alice", "node-2");
        assertThat(nodes.two().putPresence("aiice", "allce", impostor, false)).isEmpty();
        assertThat(nodes.one().presence()).isEqualTo(Map.of("aiice", impostor));
    }

    @Test
    void aUserWhoMovesToAnotherNodeStaysOnlineWhenTheFirstLetsThemGoOrDies() throws Exception {
        SharedStore one = openShared();
        SharedStore two = anotherNode(one);
        one.renewLease("node-1", Duration.ofMinutes(1));
        two.renewLease("node-2", Duration.ofMinutes(1));
        one.putPresence("alice", "alice-look", new Presence("alice", "online", "node-1", true), false);
        two.putPresence("alice", "alice-look", new Presence("alice", "back", "node-2", false), false);

        one.removePresence("alice", "node-1");
        one.releaseLease("node-1");

        assertThat(one.presence()).containsExactlyEntriesOf(
                Map.of("alice", new Presence("alice", "back", "node-2", false)));
        assertThat(two.liveNodes()).containsExactly("node-2");
        two.removePresence("alice", "node-2");
        assertThat(one.presence()).isEmpty();
    }

}
