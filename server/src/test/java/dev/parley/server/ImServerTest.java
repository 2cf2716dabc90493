package dev.parley.server;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.codec.Codec;
import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.Goodbye;
import dev.parley.im.ImEvent;
import dev.parley.im.ImException;
import dev.parley.im.Invitation;
import dev.parley.im.Join;
import dev.parley.im.ListConversations;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The IM protocol's semantics, scenario by scenario, over every transport in {@link Transports}.
 * A subclass runs every scenario on several nodes through {@link #startNodes}, its clients spread
 * over them.
 */
class ImServerTest {

    /**
     * A window for changes to the online list long enough that a test's few requests, made one
     * after another on a loaded machine, all fall within it.
     */
    static final Duration WINDOW = Duration.ofSeconds(2);

    private Transport transport;
    private List<ImServer> nodes;
    /** The node whose view a test checks: the first of {@link #nodes}. */
    private ImServer server;
    /** How many connections the test has made: the next one goes to the node this picks, in turn. */
    private int connections;
    private final List<AutoCloseable> opened = new ArrayList<>();
    /** The rate limit's clock, in nanoseconds: it moves only when a test moves it. */
    private final AtomicLong clock = new AtomicLong();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @OverEveryTransport
    void tellsEveryoneWhoIsOnlineWhenSomeoneRegisters(String transportName) throws Exception {
        var alice = firstToRegister(transportName, "alice");

        var bob = connect("bob");
        assertThat(bob.register("busy")).isEqualTo(Map.of("alice", "online", "bob", "busy"));
        alice.awaitOnline(online -> online.containsKey("bob"));
        assertThat(server.onlineUsers()).isEqualTo(Map.of("alice", "online", "bob", "busy"));
    }

    /** Starts the server and registers {@code username}, online, who is told they are all there is. */
    ScriptedClient firstToRegister(String transportName, String username) throws Exception {
        start(transportName);
        var first = connect(username);
        assertThat(first.register("online")).containsExactlyEntriesOf(Map.of(username, "online"));
        return first;
    }

    @OverEveryTransport
    void tellsOthersOfSeveralChangesWithinTheWindowInOneChangeTheLatestStateWinning(String transportName)
            throws Exception {
        var alice = changeSeveralTimesWithinTheWindow(transportName);

        assertThat(alice.awaitOnline(online -> online.containsKey("bob"))).isEqualTo(new OnlineUsersChanged(
                Map.of("bob", "away", "carol", "online"), Set.of("dave")));
        assertThat(alice.online()).isEqualTo(Map.of("alice", "online", "bob", "away", "carol", "online"));
    }

    /**
     * With a window for changes to the online list: alice comes online (and is told at once); then,
     * within the window, bob, carol and dave register, bob goes away and dave says goodbye. Returns alice.
     */
    ScriptedClient changeSeveralTimesWithinTheWindow(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).presenceDelay(WINDOW).build());
        var alice = online("alice");
        assertThat(alice.await(OnlineUsersChanged.class))
                .isEqualTo(new OnlineUsersChanged(Map.of("alice", "online"), Set.of()));
        var bob = connect("bob");
        var carol = connect("carol");
        var dave = connect("dave");

        bob.register("online");
        carol.register("online");
        dave.register("online");
        bob.client().status("away");
        dave.client().goodbye();
        return alice;
    }

    @OverEveryTransport
    void givesAUserWhoRegistersWhileChangesWaitTheListAndThenChangesThatLeaveItRight(String transportName)
            throws Exception {
        var waiting = changeWhileBobIsAboutToRegister(transportName);
        var bob = waiting.bob();
        var alice = waiting.alice();

        assertThat(bob.register("online")).isEqualTo(Map.of("alice", "away", "bob", "online"));
        OnlineUsersChanged pending = bob.await(OnlineUsersChanged.class);

        assertThat(pending).isEqualTo(new OnlineUsersChanged(Map.of("alice", "away", "bob", "online"), Set.of("carol")));
        assertThat(bob.online()).isEqualTo(Map.of("alice", "away", "bob", "online")).isEqualTo(server.onlineUsers());
        alice.awaitOnline(online -> online.containsKey("bob"));
        assertThat(alice.online()).isEqualTo(server.onlineUsers());
    }

    /** Two clients of a scenario. */
    record AliceAndBob(ScriptedClient alice, ScriptedClient bob) {
    }

    /**
     * With a window for changes to the online list: alice and carol come online, bob connects (but
     * does not register), then alice goes away and carol says goodbye, within the window.
     */
    AliceAndBob changeWhileBobIsAboutToRegister(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).presenceDelay(WINDOW).build());
        var alice = online("alice");
        var carolEvents = new LinkedBlockingQueue<ImEvent>();
        Peer carol = rawPeer(Codec.defaults(), carolEvents);
        carol.send(new Register("carol", "online"));
        alice.awaitOnline(online -> online.keySet().equals(Set.of("alice", "carol")));
        var bob = connect("bob");

        alice.client().status("away");
        alice.sync();
        carol.send(new Goodbye());
        carol.send(new ListConversations());
        assertThat(next(carolEvents, Error.class)).as("carol's goodbye is done").isEqualTo(
                new Error("register first", "ListConversations"));
        return new AliceAndBob(alice, bob);
    }

    @OverEveryTransport
    void tellsEveryoneOfAStatusChangeASignOffAndAVanishingAsChanges(String transportName) throws Exception {
        start(transportName, WITHOUT_RESUME);
        var alice = online("alice");
        var bob = online("bob");
        Peer carol = rawPeer(Codec.defaults(), new LinkedBlockingQueue<>());
        carol.send(new Register("carol", "online"));
        alice.awaitOnline(online -> online.keySet().equals(Set.of("alice", "bob", "carol")));

        bob.client().status("away");
        assertThat(alice.awaitOnline(online -> "away".equals(online.get("bob"))))
                .isEqualTo(new OnlineUsersChanged(Map.of("bob", "away"), Set.of()));
        bob.client().goodbye();
        assertThat(alice.awaitOnline(online -> !online.containsKey("bob")))
                .isEqualTo(new OnlineUsersChanged(Map.of(), Set.of("bob")));
        carol.connection().abort(new IOException("pulled the plug"));
        assertThat(alice.awaitOnline(online -> !online.containsKey("carol")))
                .isEqualTo(new OnlineUsersChanged(Map.of(), Set.of("carol")));
        assertThat(alice.online()).isEqualTo(Map.of("alice", "online"));
    }

    @OverEveryTransport
    void sendsEachChangeAtOnceWithNoWindow(String transportName) throws Exception {
        var alice = bobGoesAwayWithNoWindow(transportName).alice();

        assertThat(alice.sync()).filteredOn(OnlineUsersChanged.class::isInstance).containsExactly(
                new OnlineUsersChanged(Map.of("alice", "online"), Set.of()),
                new OnlineUsersChanged(Map.of("bob", "online"), Set.of()),
                new OnlineUsersChanged(Map.of("bob", "away"), Set.of()));
    }

    /** With no window for changes to the online list, alice and bob come online, and bob goes away. */
    AliceAndBob bobGoesAwayWithNoWindow(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).presenceDelay(Duration.ZERO)
                .build());
        var alice = online("alice");
        var bob = online("bob");

        bob.client().status("away");
        bob.sync();
        return new AliceAndBob(alice, bob);
    }

    @OverEveryTransport
    void refusesATakenUsernameWhateverItsCase(String transportName) throws Exception {
        start(transportName);
        online("Alice");
        var impostor = connect("alice");

        assertThatThrownBy(() -> impostor.register("online"))
                .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error())
                        .isEqualTo(new Error("username alice is taken", "Register")));
        assertThat(server.onlineUsers()).containsOnlyKeys("Alice");
    }

    @OverEveryTransport
    void refusesAUsernameThatLooksLikeOneOnlineUntilThatUserLeaves(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var mary = online("mary");

        for (String impostor : List.of("a1ice", "aIice", "AL1CE", "rnary")) {
            var client = connect(impostor);
            assertThatThrownBy(() -> client.register("online"))
                    .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error().message())
                            .startsWith("username " + impostor + " looks like ").endsWith(", who is online"));
        }
        assertThat(connect("alicia").register("online")).containsKey("alicia");

        // Seen online first, so that mary seeing her gone means she has gone (on several nodes too).
        mary.awaitOnline(online -> online.containsKey("alice"));
        alice.client().goodbye();
        mary.awaitOnline(online -> !online.containsKey("alice"));
        assertThat(connect("a1ice").register("online")).as("the name is free once alice is gone").containsKey("a1ice");
    }

    @OverEveryTransport
    void refusesUsernamesThatAreEmptyTooLongOrOutsideTheAllowedCharacters(String transportName) throws Exception {
        start(transportName);
        for (String invalid : List.of("", "two words", "x".repeat(33), "émile", "new\nline", "a/b")) {
            var client = connect(invalid);
            assertThatThrownBy(() -> client.register("online"))
                    .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error().message())
                            .startsWith("invalid username")
                            .endsWith("use 1 to 32 letters, digits, '_', '.' or '-'"));
        }
        assertThat(connect("a_b.c-D9").register("online")).containsKey("a_b.c-D9");
    }

    @OverEveryTransport
    void refusesASecondRegistrationOnTheSameConnection(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");

        alice.client().register("alice2", "online");

        assertThat(alice.await(Error.class)).isEqualTo(new Error("already registered as alice", "Register"));
    }

    @OverEveryTransport
    void refusesEveryOtherRequestBeforeRegistration(String transportName) throws Exception {
        start(transportName);
        var stranger = connect("stranger");
        var client = stranger.client();

        client.status("away");
        client.invite("alice");
        client.list();
        client.join(1);
        client.send(1, "hello");
        client.leave(1);

        for (String request : List.of("StatusChange", "Invite", "ListConversations", "Join", "SendMessage", "Leave")) {
            assertThat(withoutSendId(stranger.await(Error.class))).isEqualTo(new Error("register first", request));
        }
    }

    @OverEveryTransport
    void refusesAGoodbyeBeforeRegistration(String transportName) throws Exception {
        start(transportName);
        var events = new LinkedBlockingQueue<ImEvent>();
        Peer stranger = rawPeer(Codec.defaults(), events);

        stranger.send(new Goodbye());

        assertThat(next(events, Error.class)).isEqualTo(new Error("register first", "Goodbye"));
    }

    @OverEveryTransport
    void tellsEveryoneOfAStatusChangeAndRefusesAnInvalidStatus(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");

        bob.client().status("away");
        alice.awaitOnline(online -> "away".equals(online.get("bob")));
        bob.awaitOnline(online -> "away".equals(online.get("bob")));

        bob.client().status("x".repeat(65));
        bob.client().status("");
        assertThat(bob.await(Error.class).message()).isEqualTo("invalid status: use 1 to 64 characters, no control characters");
        assertThat(bob.await(Error.class).request()).isEqualTo("StatusChange");
        assertThat(server.onlineUsers()).containsEntry("bob", "away");
    }

    @OverEveryTransport
    void sendsOneInvitationToEachInvitedUserAndTheInviter(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");
        var carol = online("carol");
        var dave = online("dave");

        alice.client().invite("bob", "carol", "BOB", "alice");

        for (ScriptedClient invited : List.of(alice, bob, carol)) {
            assertThat(invited.await(Invitation.class)).isEqualTo(new Invitation(1, "alice"));
            assertThat(invited.sync()).noneMatch(Invitation.class::isInstance);
        }
        assertThat(dave.sync()).noneMatch(Invitation.class::isInstance);
        assertThat(alice.sync()).last().isEqualTo(new Conversations(Map.of(1L, List.of("alice"))));
    }

    @OverEveryTransport
    void numbersConversationsFromOne(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        online("bob");

        alice.client().invite("bob");
        alice.client().invite("bob");

        assertThat(alice.await(Invitation.class).conversationId()).isEqualTo(1);
        assertThat(alice.await(Invitation.class).conversationId()).isEqualTo(2);
    }

    @OverEveryTransport
    void refusesAnInvitationNamingUsersWhoAreNotOnlineInOneError(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        online("bob");

        alice.client().invite("bob", "dave", "erin");

        assertThat(alice.await(Error.class)).isEqualTo(new Error("not online: dave, erin", "Invite"));
        assertThat(alice.sync()).noneMatch(Invitation.class::isInstance);
        assertThat(server.conversationCount()).isZero();
    }

    @OverEveryTransport
    void refusesAnInvitationOfNobodyOrOfTooMany(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().maxInvitees(2).build());
        var alice = online("alice");
        online("bob");
        online("carol");
        online("dave");

        alice.client().invite(List.of());
        alice.client().invite("bob", "carol", "dave");

        assertThat(alice.await(Error.class)).isEqualTo(new Error("invite at least one user", "Invite"));
        assertThat(alice.await(Error.class)).isEqualTo(new Error("too many invitees: 3 (at most 2)", "Invite"));
    }

    @OverEveryTransport
    void refusesAnInvitationPastTheConversationLimit(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().maxConversations(1).build());
        var alice = online("alice");
        online("bob");

        alice.client().invite("bob");
        alice.client().invite("bob");

        assertThat(alice.await(Invitation.class).conversationId()).isEqualTo(1);
        assertThat(alice.await(Error.class)).isEqualTo(new Error("too many conversations (at most 1)", "Invite"));
    }

    @OverEveryTransport
    void listsEveryOngoingConversationWithItsMembersToTheRequesterOnly(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");
        var carol = online("carol");
        alice.client().invite("bob");
        bob.client().join(bob.await(Invitation.class).conversationId());
        bob.sync();

        assertThat(carol.client().list().get(10, TimeUnit.SECONDS)).isEqualTo(Map.of(1L, List.of("alice", "bob")));
        assertThat(alice.sync()).filteredOn(Conversations.class::isInstance).hasSize(1);
    }

    @OverEveryTransport
    void treatsJoiningTwiceAsHarmless(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        online("bob");
        alice.client().invite("bob");
        long id = alice.await(Invitation.class).conversationId();

        alice.client().join(id);
        alice.client().join(id);

        List<ImEvent> events = alice.sync();
        assertThat(events).noneMatch(Error.class::isInstance);
        assertThat(events).last().isEqualTo(new Conversations(Map.of(id, List.of("alice"))));
    }

    @OverEveryTransport
    void refusesToJoinAnUnknownConversation(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");

        alice.client().join(9);

        assertThat(alice.await(Error.class)).isEqualTo(new Error("unknown conversation 9", "Join"));
    }

    @OverEveryTransport
    void letsAnyoneJoinUnderTheOpenPolicy(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        online("bob");
        var carol = online("carol");
        alice.client().invite("bob");
        long id = alice.await(Invitation.class).conversationId();

        carol.client().join(id);

        assertThat(carol.sync()).last().isEqualTo(new Conversations(Map.of(id, List.of("alice", "carol"))));
    }

    @OverEveryTransport
    void refusesUninvitedUsersUnderTheInvitedOnlyPolicy(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().joinPolicy(JoinPolicy.INVITED_ONLY).build());
        var alice = online("alice");
        var bob = online("bob");
        var carol = online("carol");
        alice.client().invite("bob");
        long id = alice.await(Invitation.class).conversationId();

        carol.client().join(id);
        bob.client().join(id);

        assertThat(carol.await(Error.class)).isEqualTo(new Error("not invited to conversation " + id, "Join"));
        assertThat(bob.sync()).last().isEqualTo(new Conversations(Map.of(id, List.of("alice", "bob"))));
    }

    @OverEveryTransport
    void deliversAMessageToEveryMemberSenderIncludedAndToNobodyElse(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");
        var carol = online("carol");
        long id = conversation(alice, bob);

        bob.client().send(id, "hello alice");

        Message received = alice.await(Message.class);
        assertThat(received).extracting(Message::conversationId, Message::sequence, Message::sender, Message::text)
                .containsExactly(id, 1L, "bob", "hello alice");
        assertThat(bob.await(Message.class)).isEqualTo(received);
        assertThat(carol.sync()).noneMatch(Message.class::isInstance);
    }

    @OverEveryTransport
    void refusesMessagesToUnknownConversationsAndFromNonMembers(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");
        var carol = online("carol");
        long id = conversation(alice, bob);

        carol.client().send(id, "let me in");
        carol.client().send(42, "anyone?");

        assertThat(withoutSendId(carol.await(Error.class))).isEqualTo(new Error("not a member of conversation " + id, "SendMessage"));
        assertThat(withoutSendId(carol.await(Error.class))).isEqualTo(new Error("unknown conversation 42", "SendMessage"));
        assertThat(alice.sync()).noneMatch(Message.class::isInstance);
    }

    @OverEveryTransport
    void refusesEmptyAndOversizedMessages(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().maxTextLength(10).build());
        var alice = online("alice");
        var bob = online("bob");
        long id = conversation(alice, bob);

        alice.client().send(id, "");
        alice.client().send(id, "   ");
        alice.client().send(id, "x".repeat(11));
        alice.client().send(id, "x".repeat(10));

        assertThat(withoutSendId(alice.await(Error.class))).isEqualTo(new Error("empty message", "SendMessage"));
        assertThat(withoutSendId(alice.await(Error.class))).isEqualTo(new Error("empty message", "SendMessage"));
        assertThat(withoutSendId(alice.await(Error.class))).isEqualTo(new Error("message too long: 11 characters (at most 10)", "SendMessage"));
        assertThat(bob.await(Message.class).text()).isEqualTo("x".repeat(10));
    }

    @OverEveryTransport
    void refusesToLeaveAConversationOneIsNotIn(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");
        var carol = online("carol");
        long id = conversation(alice, bob);

        carol.client().leave(id);
        carol.client().leave(7);

        assertThat(carol.await(Error.class)).isEqualTo(new Error("not a member of conversation " + id, "Leave"));
        assertThat(carol.await(Error.class)).isEqualTo(new Error("unknown conversation 7", "Leave"));
    }

    @OverEveryTransport
    void endsAConversationWhenItsLastMemberLeaves(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");
        long id = conversation(alice, bob);

        bob.client().leave(id);
        assertThat(bob.sync()).last().isEqualTo(new Conversations(Map.of(id, List.of("alice"))));
        alice.client().leave(id);
        alice.sync();

        assertThat(server.conversationCount()).isZero();
        bob.client().join(id);
        assertThat(bob.await(Error.class)).isEqualTo(new Error("unknown conversation " + id, "Join"));
    }

    @OverEveryTransport
    void removesAUserWhoSaysGoodbyeFromEveryConversationAndTellsEveryone(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");
        long shared = conversation(alice, bob);
        bob.client().invite("alice");
        bob.await(Invitation.class);
        alice.sync();

        bob.client().goodbye();

        alice.awaitOnline(online -> online.equals(Map.of("alice", "online")));
        assertThat(alice.sync()).last().isEqualTo(new Conversations(Map.of(shared, List.of("alice"))));
    }

    @OverEveryTransport
    void cleansUpAClientThatVanishesWithoutGoodbye(String transportName) throws Exception {
        start(transportName, WITHOUT_RESUME);
        var alice = online("alice");
        var malloryEvents = new LinkedBlockingQueue<ImEvent>();
        Peer mallory = rawPeer(Codec.defaults(), malloryEvents);
        mallory.send(new Register("mallory", "online"));
        alice.awaitOnline(online -> online.containsKey("mallory"));
        alice.client().invite("mallory");
        long id = alice.await(Invitation.class).conversationId();
        mallory.send(new Join(id));
        mallory.send(new ListConversations());
        assertThat(next(malloryEvents, Conversations.class).conversations()).containsEntry(id, List.of("alice", "mallory"));

        mallory.connection().abort(new IOException("pulled the plug"));

        alice.awaitOnline(online -> online.equals(Map.of("alice", "online")));
        assertThat(alice.sync()).last().isEqualTo(new Conversations(Map.of(id, List.of("alice"))));
    }

    @OverEveryTransport
    void broadcastsTheOnlineUsersPeriodically(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ofMillis(50)).build());
        var alice = online("alice");
        alice.sync();

        assertThat(alice.await(OnlineUsers.class).users()).isEqualTo(Map.of("alice", "online"));
        assertThat(alice.await(OnlineUsers.class).users()).isEqualTo(Map.of("alice", "online"));
    }

    @OverEveryTransport
    void disconnectsAClientThatSendsGarbageAndOnlyThatClient(String transportName) throws Exception {
        start(transportName, WITHOUT_RESUME);
        var alice = online("alice");
        var bob = online("bob");
        long id = conversation(alice, bob);
        Peer mallory = rawPeer(Codec.defaults(), new LinkedBlockingQueue<>());
        mallory.send(new Register("mallory", "online"));
        alice.awaitOnline(online -> online.containsKey("mallory"));

        mallory.connection().send(new byte[] {(byte) 0xFF, 0x13, 0x37, 0x00, 0x7F});

        assertThat(mallory.closeFuture().get(10, TimeUnit.SECONDS).isGraceful()).isFalse();
        alice.awaitOnline(online -> !online.containsKey("mallory"));
        alice.client().send(id, "still here");
        assertThat(bob.await(Message.class).text()).isEqualTo("still here");
    }

    @OverEveryTransport
    void disconnectsAClientThatSendsAClassOutsideTheRegistry(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        Peer mallory = rawPeer(Codec.builder().register(200, Smuggled.class).build(), new LinkedBlockingQueue<>());

        mallory.send(new Smuggled("rm -rf /"));

        assertThat(mallory.closeFuture().get(10, TimeUnit.SECONDS).isGraceful()).isFalse();
        assertThat(alice.sync()).last().isInstanceOf(Conversations.class);
    }

    @OverEveryTransport
    void answersAMessageThatIsNotARequestWithAnError(String transportName) throws Exception {
        start(transportName);
        var events = new LinkedBlockingQueue<ImEvent>();
        Peer confused = rawPeer(Codec.defaults(), events);

        confused.send(new OnlineUsers(Map.of("confused", "online")));

        assertThat(next(events, Error.class)).isEqualTo(new Error("not a request: OnlineUsers", "OnlineUsers"));
        assertThat(confused.isOpen()).isTrue();
    }

    @OverEveryTransport
    void closingTheServerDisconnectsEveryClient(String transportName) throws Exception {
        start(transportName);
        var alice = online("alice");
        var bob = online("bob");

        nodes.forEach(ImServer::close);

        assertThat(alice.awaitDisconnect()).isInstanceOf(ConnectionClosedException.class);
        assertThat(bob.awaitDisconnect()).isInstanceOf(ConnectionClosedException.class);
    }

    @OverEveryTransport
    void showsEveryMemberOfABusyConversationAllMessagesInTheSameOrder(String transportName) throws Exception {
        start(transportName);
        int clients = 50;
        int messagesEach = 20;
        List<ScriptedClient> members = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            members.add(online("user" + i));
        }
        var first = members.getFirst();
        first.client().invite(members.stream().skip(1).map(ScriptedClient::username).toList());
        long id = first.await(Invitation.class).conversationId();
        for (ScriptedClient member : members) {
            member.client().join(id);
            member.sync();
        }

        List<Thread> senders = members.stream().map(member -> Thread.ofVirtual().start(() -> {
            for (int n = 0; n < messagesEach; n++) {
                try {
                    member.client().send(id, member.username() + "#" + n);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        })).toList();
        for (Thread sender : senders) {
            sender.join();
        }

        List<List<String>> received = new ArrayList<>();
        for (ScriptedClient member : members) {
            received.add(IntStream.range(0, clients * messagesEach)
                    .mapToObj(n -> member.await(Message.class).text())
                    .toList());
        }
        List<String> order = received.getFirst();
        assertThat(new HashSet<>(order)).hasSize(clients * messagesEach);
        assertThat(received).allSatisfy(seen -> assertThat(seen).isEqualTo(order));
        for (ScriptedClient member : members) {
            assertThat(order).filteredOn(text -> text.startsWith(member.username() + "#"))
                    .containsExactlyElementsOf(IntStream.range(0, messagesEach)
                            .mapToObj(n -> member.username() + "#" + n).toList());
        }
    }

    /** The next event of {@code type} in {@code events}, passing over others. */
    private static <T extends ImEvent> T next(BlockingQueue<ImEvent> events, Class<T> type) throws InterruptedException {
        ImEvent event;
        do {
            event = events.poll(ScriptedClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("the next " + type.getSimpleName()).isNotNull();
        } while (!type.isInstance(event));
        return type.cast(event);
    }

    /** A record the server's codec has never heard of. */
    record Smuggled(String payload) {
    }

    @OverEveryTransport
    void answersSlowDownOverTheRateAndSendsAFlooderAwayWhileOthersCarryOn(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO)
                .messagesPerSecond(2).messageBurst(3).maxRefusedInARow(3).resumeWindow(Duration.ZERO).build());
        var slowDown = new Error("slow down: at most 2 requests a second, 3 at once", "StatusChange");
        var alice = online("alice");
        var bob = online("bob");

        alice.client().status("one");
        alice.client().status("two");
        alice.client().status("three");
        assertThat(alice.await(Error.class)).isEqualTo(slowDown);

        clock.addAndGet(Duration.ofMillis(500).toNanos());
        alice.client().status("four");
        alice.awaitOnline(online -> "four".equals(online.get("alice")));

        for (String status : List.of("five", "six", "seven")) {
            alice.client().status(status);
        }
        assertThat(List.of(alice.await(Error.class), alice.await(Error.class), alice.await(Error.class))).containsExactly(
                slowDown, slowDown,
                new Error("too many requests over the rate limit: closing the connection", "StatusChange"));
        alice.awaitDisconnect();

        bob.awaitOnline(online -> !online.containsKey("alice"));
        bob.client().status("unaffected");
        bob.awaitOnline(online -> "unaffected".equals(online.get("bob")));
    }

    @OverEveryTransport
    void letsAClientSendAsFastAsItLikesWhenTheLimitIsOff(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO)
                .messagesPerSecond(0).messageBurst(1).maxRefusedInARow(1).build());
        var alice = online("alice");

        for (int i = 0; i < 200; i++) {
            alice.client().status("s" + i);
        }

        assertThat(alice.sync()).noneMatch(Error.class::isInstance);
    }

    /** Options under which a dropped connection signs its user off at once, as a goodbye does. */
    private static final ServerOptions WITHOUT_RESUME = ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO)
            .resumeWindow(Duration.ZERO).build();

    private void start(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build());
    }

    void start(String transportName, ServerOptions options) throws Exception {
        transport = Transports.create(transportName);
        nodes = startNodes(transport, options, clock::get);
        opened.addAll(nodes);
        server = nodes.getFirst();
    }

    /**
     * Starts what the test's clients connect to, listening on loopback: here one server with
     * {@code options} and the rate limit's clock {@code nanoClock}.
     */
    protected List<ImServer> startNodes(Transport transport, ServerOptions options, LongSupplier nanoClock)
            throws Exception {
        return List.of(ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options,
                nanoClock));
    }

    /** The node whose view the test checks. */
    ImServer server() {
        return server;
    }

    /** The node the next connection goes to: each in turn. */
    private SocketAddress nextNode() {
        return nodes.get(connections++ % nodes.size()).localAddress();
    }

    ScriptedClient connect(String username) throws IOException {
        var client = ScriptedClient.connect(transport, nextNode(), username);
        opened.add(client);
        return client;
    }

    ScriptedClient online(String username) throws IOException, ImException {
        var client = connect(username);
        client.register("online");
        return client;
    }

    /** {@code error} without the client message id a refused send's carries (random in these clients). */
    static Error withoutSendId(Error error) {
        return new Error(error.message(), error.request());
    }

    /** Creates a conversation of {@code inviter} and {@code invitee}, both joined; returns its id. */
    static long conversation(ScriptedClient inviter, ScriptedClient invitee) throws IOException {
        inviter.client().invite(invitee.username());
        long id = invitee.await(Invitation.class).conversationId();
        invitee.client().join(id);
        invitee.sync();
        return id;
    }

    /** A connection that speaks records directly, past ImClient, and puts what it receives in {@code events}. */
    private Peer rawPeer(Codec codec, BlockingQueue<ImEvent> events) throws IOException {
        Peer peer = Endpoint.builder(codec)
                .on(ImEvent.class, (p, event) -> events.add(event))
                .build()
                .connect(transport, nextNode());
        opened.add(peer::close);
        return peer;
    }
}
