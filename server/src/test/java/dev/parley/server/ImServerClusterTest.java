package dev.parley.server;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.ImEvent;
import dev.parley.im.ImException;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.ReconnectPolicy;
import dev.parley.server.store.MemorySharedStore;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several {@link ImServer} nodes on one {@link MemorySharedStore}, over TCP on loopback, with clients
 * on different nodes: they must act as one server. A subclass runs the same scenarios on another
 * shared store through {@link #storeForNode()}.
 */
class ImServerClusterTest {

    private static final Duration LEASE = Duration.ofMillis(600);
    private static final Duration SYNC = Duration.ofMillis(100);
    private static final Duration PRESENCE_DELAY = Duration.ofMillis(50);

    private final Transport transport = Transport.byName("tcp");
    private final SharedStore memory = MemorySharedStore.create(StoreOptions.defaults());
    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * The store the next node is started on: each call a handle on the same data, as another node
     * would open it (the node closes it when it stops). Here the one in-memory store.
     */
    protected SharedStore storeForNode() throws Exception {
        return memory;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void membersOnThreeNodesGetEveryMessageOnceInTheOneOrder() throws Exception {
        List<ImServer> nodes = List.of(node("one", LEASE), node("two", LEASE), node("three", LEASE));
        List<ScriptedClient> users = List.of(online(nodes.get(0), "alice"), online(nodes.get(1), "bob"),
                online(nodes.get(2), "carol"));
        long id = conversationOf(users);
        int each = 40;

        List<CompletableFuture<Long>> accepted = new ArrayList<>();
        for (int i = 1; i <= each; i++) {
            for (ScriptedClient user : users) {
                accepted.add(user.client().send(id, user.username() + " " + i));
            }
        }
        for (CompletableFuture<Long> sequence : accepted) {
            sequence.get(30, TimeUnit.SECONDS);
        }

        List<List<String>> seen = new ArrayList<>();
        for (ScriptedClient user : users) {
            List<Message> messages = new ArrayList<>();
            while (messages.size() < users.size() * each) {
                messages.add(user.await(Message.class, message -> message.conversationId() == id));
            }
            assertThat(messages).extracting(Message::sequence).as(user.username())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, (long) users.size() * each).boxed().toList());
            seen.add(messages.stream().map(message -> message.sender() + ": " + message.text()).toList());
            assertThat(user.sync()).noneMatch(Message.class::isInstance);
        }
        assertThat(seen.get(1)).containsExactlyElementsOf(seen.get(0));
        assertThat(seen.get(2)).containsExactlyElementsOf(seen.get(0));
    }

    @Test
    void nodesThatLoseEveryHintStillDeliverEverythingOnceInOrderFromTheirPeriodicReads() throws Exception {
        var hintless = new HintlessStore(storeForNode()); // one handle for both nodes: its hints are lost anyway
        ImServer one = node("one", LEASE, hintless);
        ImServer two = node("two", LEASE, hintless);
        var alice = online(one, "alice");
        var bob = online(two, "bob");
        long id = conversationOf(List.of(alice, bob));
        int each = 20;

        List<CompletableFuture<Long>> accepted = new ArrayList<>();
        for (int i = 1; i <= each; i++) {
            accepted.add(alice.client().send(id, "alice " + i));
            accepted.add(bob.client().send(id, "bob " + i));
        }
        for (CompletableFuture<Long> sequence : accepted) {
            sequence.get(30, TimeUnit.SECONDS);
        }

        for (ScriptedClient user : List.of(alice, bob)) {
            List<Long> sequences = new ArrayList<>();
            while (sequences.size() < 2 * each) {
                sequences.add(user.await(Message.class).sequence());
            }
            assertThat(sequences).as(user.username())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * each).boxed().toList());
        }
        bob.client().status("away");
        alice.awaitOnline(users -> "away".equals(users.get("bob")));
    }

    @Test
    void aNodeFollowingMoreConversationsThanOneReadTakesGetsTheMessagesOfEachFromItsPeriodicReads() throws Exception {
        var hintless = new HintlessStore(storeForNode());
        ImServer one = node("one", LEASE, hintless);
        ImServer two = node("two", LEASE, hintless);
        var alice = online(one, "alice");
        var bob = online(two, "bob");
        alice.awaitOnline(online -> online.containsKey("bob"));
        int conversations = ClusterNode.FEEDS_A_READ + 6;
        for (int i = 0; i < conversations; i++) {
            alice.client().invite("bob");
        }
        Set<Long> ids = new HashSet<>();
        while (ids.size() < conversations) {
            long id = bob.await(Invitation.class).conversationId();
            ids.add(id);
            bob.client().join(id);
        }
        bob.sync();

        for (long id : ids) {
            alice.client().send(id, "to " + id).get(30, TimeUnit.SECONDS);
        }

        Set<Long> heard = new HashSet<>();
        while (heard.size() < conversations) {
            heard.add(bob.await(Message.class).conversationId());
        }
        assertThat(heard).isEqualTo(ids);
    }

    @Test
    void invitationsJoinsLeavesAndStatusesMadeOnOneNodeAreSeenOnTheOthers() throws Exception {
        ImServer one = node("one", LEASE);
        ImServer two = node("two", LEASE);
        var alice = online(one, "alice");
        var bob = online(two, "bob");
        long id = conversationOf(List.of(alice, bob));

        bob.client().status("lunch");
        alice.awaitOnline(users -> "lunch".equals(users.get("bob")));
        bob.client().leave(id);
        awaitListing(alice, listing -> listing.getOrDefault(id, List.of()).equals(List.of("alice")));
        alice.client().send(id, "after bob left").get(30, TimeUnit.SECONDS);
        var carol = online(two, "carol");
        carol.client().join(id);
        carol.sync();
        alice.client().send(id, "hello carol").get(30, TimeUnit.SECONDS);

        assertThat(carol.await(Message.class).text()).isEqualTo("hello carol");
        assertThat(bob.sync()).noneMatch(Message.class::isInstance);
        bob.client().goodbye();
        alice.awaitOnline(users -> !users.containsKey("bob") && users.containsKey("carol"));
    }

    @Test
    void theUsersOfANodeThatStopsGoOfflineOnTheOthersWithinLeaseSyncAndPresenceDelay() throws Exception {
        ImServer one = node("one", LEASE);
        ImServer two = node("two", LEASE);
        var alice = online(one, "alice");
        online(two, "bob");
        alice.awaitOnline(users -> users.containsKey("bob"));

        long stopped = System.nanoTime();
        two.close();
        alice.awaitOnline(users -> !users.containsKey("bob"));

        Duration took = Duration.ofNanos(System.nanoTime() - stopped);
        Duration bound = LEASE.plus(SYNC).plus(PRESENCE_DELAY);
        assertThat(took).as("bob offline after %s, bound %s (twice, and 5 s for a slow machine)", took, bound)
                .isLessThan(bound.multipliedBy(2).plusSeconds(5));
        assertThat(one.onlineUsers()).containsOnlyKeys("alice");
    }

    @Test
    void aClientWhoseNodeStopsResumesOnAnotherWithWhatItMissedAndNobodySeesItLeave() throws Exception {
        Duration longLease = Duration.ofMinutes(1);
        ImServer one = node("one", longLease);
        ImServer two = node("two", longLease);
        var alice = online(one, "alice");
        var bob = ScriptedClient.connect(transport, List.of(two.localAddress(), one.localAddress()), "bob",
                new ReconnectPolicy(20, Duration.ofMillis(20), Duration.ofMillis(200)));
        opened.add(bob);
        bob.register("online");
        long id = conversationOf(List.of(alice, bob));
        alice.client().send(id, "one").get(30, TimeUnit.SECONDS);
        assertThat(bob.await(Message.class).text()).isEqualTo("one");

        two.close();
        alice.client().send(id, "two").get(30, TimeUnit.SECONDS);
        alice.client().send(id, "three").get(30, TimeUnit.SECONDS);
        alice.client().send(id, "four").get(30, TimeUnit.SECONDS);

        List<Message> received = List.of(bob.await(Message.class), bob.await(Message.class), bob.await(Message.class));
        assertThat(received).extracting(Message::text).containsExactly("two", "three", "four");
        assertThat(received).extracting(Message::sequence).containsExactly(2L, 3L, 4L);
        bob.client().send(id, "back").get(30, TimeUnit.SECONDS);
        assertThat(bob.await(Message.class).text()).isEqualTo("back");
        assertThat(bob.sync()).noneMatch(Message.class::isInstance);
        assertThat(alice.sync()).noneMatch(event -> event instanceof OnlineUsersChanged changed
                && changed.offline().contains("bob"));
        assertThat(one.onlineUsers()).containsKeys("alice", "bob");
    }

    /**
     * A node refuses a name that looks like one registered on another node as soon as that
     * registration was acknowledged, before it read that user's presence: the store answers for the
     * user's claim of their look-alike. Hintless, so that the second node reads who is online only
     * every sync period and five pairs in a row cannot all be refused from what it read.
     */
    @Test
    void refusesALookAlikeOfAUserOfAnotherNodeAsSoonAsTheirRegistrationWasAcknowledged() throws Exception {
        var hintless = new HintlessStore(storeForNode());
        ImServer one = node("one", LEASE, hintless);
        ImServer two = node("two", LEASE, hintless);
        for (List<String> pair : List.of(List.of("alice", "aIice"), List.of("mary", "rnary"), List.of("bob", "b0b"),
                List.of("will", "vvill"), List.of("olive", "0LIVE"))) {
            online(one, pair.getFirst());
            var impostor = ScriptedClient.connect(transport, two.localAddress(), pair.getLast());
            opened.add(impostor);

            assertThatThrownBy(() -> impostor.register("online")).isInstanceOfSatisfying(ImException.class,
                    e -> assertThat(e.error().message()).isEqualTo(
                            "username " + pair.getLast() + " looks like " + pair.getFirst() + ", who is online"));
        }
    }

    /**
     * Two nodes registering look-alikes (or one name) at the same moment, each having checked who is
     * online before either writes: the store's put decides, so exactly one user gets in and the
     * other is refused, and only the winner is in the store.
     */
    @Test
    void ofTwoLookAlikesRegisteringOnTwoNodesAtOnceExactlyOneGetsIn() throws Exception {
        var racing = new RacingPutsStore(storeForNode()); // one handle for both nodes, which meet in its puts
        Duration longLease = Duration.ofMinutes(1);
        List<ImServer> nodes = List.of(node("one", longLease, racing), node("two", longLease, racing));
        Set<String> winners = new HashSet<>();
        try (ExecutorService registering = Executors.newFixedThreadPool(2)) {
            for (List<String> pair : List.of(List.of("alice", "a1ice"), List.of("bob", "bob"))) {
                racing.race();
                List<Future<String>> outcomes = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    var user = ScriptedClient.connect(transport, nodes.get(i).localAddress(), pair.get(i));
                    opened.add(user);
                    outcomes.add(registering.submit(() -> registrationOutcome(user)));
                }
                List<String> said = List.of(outcomes.get(0).get(60, TimeUnit.SECONDS),
                        outcomes.get(1).get(60, TimeUnit.SECONDS));

                assertThat(said).as("%s", pair).containsOnlyOnce("registered");
                int winner = said.indexOf("registered");
                String won = pair.get(winner);
                String lost = pair.get(1 - winner);
                assertThat(said.get(1 - winner)).isEqualTo(lost.equals(won) ? "username " + lost + " is taken"
                        : "username " + lost + " looks like " + won + ", who is online");
                winners.add(won);
                assertThat(racing.presence()).containsOnlyKeys(winners);
                assertThat(racing.presence().get(won).nodeId()).isEqualTo(winner == 0 ? "one" : "two");
            }
        }
    }

    /**
     * A node cut off from the store long enough to count as dead comes back to find that another
     * node let in a look-alike of one of its users meanwhile: the store refuses to put that user
     * online again, so the node tells them why, closes their connection and withdraws their entry
     * from before, leaving one of the two names online, as if they had registered one after the
     * other. Both nodes are hintless and the other one quiet, so that nobody reads who is online
     * (which drops a dead node's entries) before the node comes back, and its entry from before is
     * live again when it does.
     */
    @Test
    void aUserWhoseLookAlikeGotInWhileTheirNodeCountedAsDeadIsToldAndLetGoWhenItComesBack() throws Exception {
        var cutOff = new CutOffStore(new HintlessStore(storeForNode()));
        ImServer one = node("one", LEASE, cutOff);
        ImServer two = quietNode("two", new HintlessStore(storeForNode()));
        var alice = online(one, "alice");

        cutOff.cut = true;
        Eventually.await(ScriptedClient.TIMEOUT, "node one's lease to run out", () -> !cutOff.liveNodes().contains("one"));
        online(two, "aIice");
        cutOff.cut = false;

        assertThat(alice.await(Error.class).message()).isEqualTo("username alice looks like aIice, who is online");
        alice.awaitDisconnect();
        assertThat(one.onlineUsers()).containsOnlyKeys("aIice");
        assertThat(cutOff.presence().values()).extracting(Presence::username).containsOnly("aIice");
    }

    /**
     * A user who registers while their node cannot reach the store gets in (the node goes by what it
     * last read) and is seen online on the other nodes once the store is back, though their node's
     * lease never ran out.
     */
    @Test
    void aUserWhoRegisteredWhileTheirNodeCouldNotReachTheStoreIsSeenOnTheOthersOnceItCan() throws Exception {
        Duration longLease = Duration.ofMinutes(1);
        var cutOff = new CutOffStore(storeForNode());
        ImServer one = node("one", longLease, cutOff);
        var bob = online(node("two", longLease), "bob");

        cutOff.cut = true;
        online(one, "carol");
        cutOff.cut = false;

        bob.awaitOnline(users -> users.containsKey("carol"));
        assertThat(cutOff.presence().get("carol").nodeId()).isEqualTo("one");
    }

    /** A store whose lease renewals and presence puts fail while {@link #cut} is set, as for a node cut off from it. */
    private static final class CutOffStore extends ForwardingSharedStore {
        volatile boolean cut;

        CutOffStore(SharedStore store) {
            super(store);
        }

        @Override
        public boolean renewLease(String nodeId, Duration lease) throws StoreException {
            checkNotCut();
            return shared.renewLease(nodeId, lease);
        }

        @Override
        public Optional<Presence> putPresence(String key, String lookAlike, Presence presence, boolean takeOver)
                throws StoreException {
            checkNotCut();
            return shared.putPresence(key, lookAlike, presence, takeOver);
        }

        private void checkNotCut() throws StoreException {
            if (cut) {
                throw new StoreException("cut off, in this test");
            }
        }
    }

    /**
     * A node applies the message another node's member posts from the hint that carries it, without
     * reading the conversation's feed (whose reply, on Redis, would wait for another fsync). The
     * nodes' periodic reads are put off past the test, so that only hints move anything.
     */
    @Test
    void aNodeDeliversAMessagePostedOnAnotherNodeFromItsHintWithoutReadingTheFeed() throws Exception {
        var two = new CarriedHintsStore(storeForNode());
        var pair = aliceOnOneAndBobOn(two);

        pair.alice().client().send(pair.id(), "hello bob").get(30, TimeUnit.SECONDS);

        assertThat(pair.bob().await(Message.class).text()).isEqualTo("hello bob");
        assertThat(two.reads(pair.id())).as("reads of the feed by bob's node").isZero();
    }

    /**
     * A node that loses the hint carrying one message learns of it from the next hint, which does not
     * follow on from its cursor, reads the feed from there, and its member gets every message once, in
     * order.
     */
    @Test
    void aNodeThatLosesACarryingHintReadsTheGapFromTheFeedAndDeliversEachMessageOnceInOrder() throws Exception {
        var two = new CarriedHintsStore(storeForNode());
        var pair = aliceOnOneAndBobOn(two);
        ScriptedClient bob = pair.bob();
        two.loseHintsCarrying(pair.id(), pair.settledAt() + 1);

        for (String text : List.of("lost", "after the gap", "and on")) {
            pair.alice().client().send(pair.id(), text).get(30, TimeUnit.SECONDS);
        }

        List<Message> received = List.of(bob.await(Message.class), bob.await(Message.class), bob.await(Message.class));
        assertThat(received).extracting(Message::text).containsExactly("lost", "after the gap", "and on");
        long before = pair.settledAt();
        assertThat(received).extracting(Message::sequence).containsExactly(before + 1, before + 2, before + 3);
        assertThat(bob.sync()).noneMatch(Message.class::isInstance);
        assertThat(two.lost()).isEqualTo(1);
        assertThat(two.reads(pair.id())).as("reads of the feed by bob's node").isPositive();
    }

    /**
     * A node held up (here in a read of the feed) while more hints carrying a conversation's messages
     * come than it queues for one conversation ({@link ClusterNode#MAX_CARRIED_PAGES}) drops them and
     * reads the feed instead: its member still gets every message once, in order.
     */
    @Test
    void aNodeHeldUpWhileMoreCarryingHintsComeThanItQueuesReadsTheFeedAndDeliversEachMessageOnceInOrder()
            throws Exception {
        var two = new CarriedHintsStore(storeForNode());
        var pair = aliceOnOneAndBobOn(two);
        ScriptedClient bob = pair.bob();
        two.loseHintsCarrying(pair.id(), pair.settledAt() + 1);
        two.holdReads();
        int count = ClusterNode.MAX_CARRIED_PAGES + 10;

        for (int i = 1; i <= count; i++) {
            pair.alice().client().send(pair.id(), "m" + i).get(30, TimeUnit.SECONDS);
            if (i == 2) {
                two.awaitHeldRead(); // the gap after the lost hint of m1
            }
        }
        two.releaseReads();

        List<Long> sequences = new ArrayList<>();
        while (sequences.size() < count) {
            sequences.add(bob.await(Message.class).sequence());
        }
        assertThat(sequences).containsExactlyElementsOf(
                LongStream.rangeClosed(pair.settledAt() + 1, pair.settledAt() + count).boxed().toList());
        assertThat(bob.sync()).noneMatch(Message.class::isInstance);
        assertThat(two.reads(pair.id())).as("the held read and the one for the dropped hints").isEqualTo(2);
    }

    /**
     * The sender's own node gets its append from the hint too; when that hint is lost, it reads the
     * feed within {@link ClusterNode#CARRIED_GRACE}, so the sender's copy (the acknowledgement) and
     * the other members here still come, at once, not at the next periodic read.
     */
    @Test
    void theSendersNodeReadsItsOwnAppendFromTheFeedWhenTheHintCarryingItIsLost() throws Exception {
        var one = new CarriedHintsStore(storeForNode());
        ImServer node = quietNode("one", one);
        var alice = online(node, "alice");
        var carol = online(node, "carol");
        var bob = online(quietNode("two", storeForNode()), "bob");
        long id = conversationOf(List.of(alice, bob, carol));
        long before = settle(id, List.of(alice, bob, carol));
        one.loseHintsCarrying(id, before + 1);

        assertThat(alice.client().send(id, "mine").get(30, TimeUnit.SECONDS)).isEqualTo(before + 1);

        assertThat(carol.await(Message.class).text()).isEqualTo("mine");
        assertThat(bob.await(Message.class).text()).isEqualTo("mine");
        // On Redis the hint reaches the node on its subscription's thread, which may read it only
        // after the grace, once the feed read has delivered "mine": its loss is awaited, not read.
        Eventually.await(ScriptedClient.TIMEOUT, "the hint carrying \"mine\" to reach node one",
                () -> one.lost() >= 1);
        assertThat(one.lost()).isEqualTo(1);
    }

    /** Alice and Bob, online on two nodes, in conversation {@code id}, settled at message {@code settledAt}. */
    private record Pair(ScriptedClient alice, ScriptedClient bob, long id, long settledAt) {
    }

    /** Alice on a quiet node, Bob on one on {@code two}, in one conversation, settled; no reads counted yet. */
    private Pair aliceOnOneAndBobOn(CarriedHintsStore two) throws Exception {
        var alice = online(quietNode("one", storeForNode()), "alice");
        var bob = online(quietNode("two", two), "bob");
        long id = conversationOf(List.of(alice, bob));
        long settledAt = settle(id, List.of(alice, bob));
        two.resetReads();
        return new Pair(alice, bob, id, settledAt);
    }

    /**
     * Sends one message and waits until every user got it, so that whatever the set-up's joins had
     * their nodes read is read; returns its number.
     */
    private static long settle(long id, List<ScriptedClient> users) throws Exception {
        long sequence = users.getFirst().client().send(id, "settling").get(30, TimeUnit.SECONDS);
        for (ScriptedClient user : users) {
            user.await(Message.class, message -> message.sequence() == sequence);
        }
        return sequence;
    }

    /** A node whose periodic reads come long after the test: only hints make it read. */
    private ImServer quietNode(String name, SharedStore shared) throws IOException {
        return node(name, Duration.ofMinutes(20), Duration.ofMinutes(10), shared);
    }

    /** "registered", or the message of the error that refused {@code user}'s registration. */
    private static String registrationOutcome(ScriptedClient user) throws IOException {
        try {
            user.register("online");
            return "registered";
        } catch (ImException refused) {
            return refused.error().message();
        }
    }

    private ImServer node(String name, Duration lease) throws Exception {
        return node(name, lease, storeForNode());
    }

    private ImServer node(String name, Duration lease, SharedStore shared) throws IOException {
        return node(name, lease, SYNC, shared);
    }

    private ImServer node(String name, Duration lease, Duration sync, SharedStore shared) throws IOException {
        // No rate limit: tests here send in bursts, and rate limits are ImServerTest's.
        ServerOptions options = ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).messagesPerSecond(0)
                .presenceDelay(PRESENCE_DELAY).nodeId(name).nodeLease(lease).nodeSyncPeriod(sync).build();
        ImServer node = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options,
                shared);
        opened.add(node);
        return node;
    }

    private ScriptedClient online(ImServer node, String username) throws Exception {
        return online(node.localAddress(), username);
    }

    private ScriptedClient online(SocketAddress node, String username) throws Exception {
        var client = ScriptedClient.connect(transport, node, username);
        opened.add(client);
        client.register("online");
        return client;
    }

    /** The first of {@code users} invites the others, once it sees them online, and they all join. */
    private static long conversationOf(List<ScriptedClient> users) throws IOException, InterruptedException {
        ScriptedClient inviter = users.getFirst();
        List<String> others = users.stream().skip(1).map(ScriptedClient::username).toList();
        inviter.awaitOnline(online -> online.keySet().containsAll(others));
        inviter.client().invite(others);
        long id = inviter.await(Invitation.class).conversationId();
        for (ScriptedClient user : users.subList(1, users.size())) {
            assertThat(user.await(Invitation.class).conversationId()).isEqualTo(id);
            user.client().join(id);
            user.sync();
        }
        awaitListing(inviter, listing -> listing.getOrDefault(id, List.of()).size() == users.size());
        return id;
    }

    /**
     * Asks for the listing until it meets {@code condition}, for at most {@link ScriptedClient#TIMEOUT};
     * while the client is reconnecting, asks again 10 ms later.
     */
    private static void awaitListing(ScriptedClient user, Predicate<Map<Long, List<String>>> condition)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ScriptedClient.TIMEOUT.toNanos();
        Object last = "none";
        while (System.nanoTime() - deadline < 0) {
            List<ImEvent> events;
            try {
                events = user.sync();
            } catch (IOException reconnecting) {
                last = reconnecting.getMessage();
                TimeUnit.MILLISECONDS.sleep(10);
                continue;
            }
            var listing = ((Conversations) events.getLast()).conversations();
            if (condition.test(listing)) {
                return;
            }
            last = listing;
        }
        throw new AssertionError(user.username() + ": listing not as awaited within " + ScriptedClient.TIMEOUT
                + "; last " + last);
    }
}
