package dev.parley.server;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.codec.Codec;
import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.ImEvent;
import dev.parley.im.ImProtocol;
import dev.parley.im.Invitation;
import dev.parley.im.ListConversations;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.server.store.MemoryStore;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A user whose connection drops without a goodbye keeps their place for the resume window. */
class ImServerResumeTest {

    private final Transport transport = Transport.byName("memory");
    private final List<AutoCloseable> opened = new ArrayList<>();
    private ImServer server;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void sendsAUserWhoComesBackWithinTheWindowWhatTheyMissedInOrderThenNewMessagesAndNobodySawThemLeave()
            throws Exception {
        start(Duration.ofMinutes(10));
        var alice = online("alice");
        BlockingQueue<ImEvent> bobEvents = new LinkedBlockingQueue<>();
        Peer bob = rawPeer(bobEvents);
        long id = registerAndInvite(bob, "bob", alice);
        bob.send(new dev.parley.im.Join(id));
        // Requests of one connection are handled in order: once this is answered, bob is a member.
        bob.send(new ListConversations());
        awaitEvent(bobEvents, Conversations.class);
        alice.client().send(id, "one").get(30, TimeUnit.SECONDS);
        assertThat(awaitEvent(bobEvents, Message.class).sequence()).isEqualTo(1);

        bob.close();
        bob.closeFuture().get(30, TimeUnit.SECONDS);
        // The server hears of the close on its own thread, maybe after the client's close completed:
        // until it holds bob for the window, bob is still connected there and a new "bob" is refused.
        awaitHeld("bob");
        alice.client().send(id, "two").get(30, TimeUnit.SECONDS);
        alice.client().send(id, "three").get(30, TimeUnit.SECONDS);
        BlockingQueue<ImEvent> backEvents = new LinkedBlockingQueue<>();
        Peer back = rawPeer(backEvents);
        back.send(new Register("bob", "online", "", ImProtocol.VERSION, Map.of(id, 1L)));
        assertThat(awaitEvent(backEvents, OnlineUsers.class).users()).containsEntry("bob", "online");
        alice.client().send(id, "four").get(30, TimeUnit.SECONDS);

        List<Message> received = List.of(awaitEvent(backEvents, Message.class), awaitEvent(backEvents, Message.class),
                awaitEvent(backEvents, Message.class));
        assertThat(received).extracting(Message::sequence).containsExactly(2L, 3L, 4L);
        assertThat(received).extracting(Message::text).containsExactly("two", "three", "four");
        assertThat(alice.sync()).noneMatch(event -> event instanceof OnlineUsersChanged changed
                && changed.offline().contains("bob"));
        assertThat(server.onlineUsers()).containsEntry("bob", "online");
    }

    @Test
    void sendsAUserWhoJoinedButHadNoMessageYetWhatWasSaidSinceTheyJoined() throws Exception {
        start(Duration.ofMinutes(10));
        var alice = online("alice");
        BlockingQueue<ImEvent> bobEvents = new LinkedBlockingQueue<>();
        Peer bob = rawPeer(bobEvents);
        long id = registerAndInvite(bob, "bob", alice);
        alice.client().send(id, "before bob joined").get(30, TimeUnit.SECONDS);
        bob.send(new dev.parley.im.Join(id));
        bob.send(new ListConversations());
        awaitEvent(bobEvents, Conversations.class);

        bob.close();
        bob.closeFuture().get(30, TimeUnit.SECONDS);
        // The server hears of the close on its own thread, maybe after the client's close completed:
        // until it holds bob for the window, bob is still connected there and a new "bob" is refused.
        awaitHeld("bob");
        alice.client().send(id, "missed").get(30, TimeUnit.SECONDS);
        BlockingQueue<ImEvent> backEvents = new LinkedBlockingQueue<>();
        Peer back = rawPeer(backEvents);
        back.send(new Register("bob", "online", "", ImProtocol.VERSION, Map.of()));
        assertThat(awaitEvent(backEvents, OnlineUsers.class).users()).containsEntry("bob", "online");
        alice.client().send(id, "live").get(30, TimeUnit.SECONDS);

        List<Message> received = List.of(awaitEvent(backEvents, Message.class), awaitEvent(backEvents, Message.class));
        assertThat(received).extracting(Message::text).containsExactly("missed", "live");
        assertThat(received).extracting(Message::sequence).containsExactly(2L, 3L);
    }

    @Test
    void signsOffAUserGoneLongerThanTheWindowAndTellsThemWhenTheyComeBack() throws Exception {
        start(Duration.ofMillis(50));
        var alice = online("alice");
        var bob = online("bob");
        alice.client().invite("bob");
        long id = bob.await(Invitation.class).conversationId();
        bob.client().join(id);
        bob.sync();
        alice.awaitOnline(online -> online.containsKey("bob"));

        bob.client().close();

        alice.awaitOnline(online -> !online.containsKey("bob"));
        BlockingQueue<ImEvent> backEvents = new LinkedBlockingQueue<>();
        Peer back = rawPeer(backEvents);
        back.send(new Register("bob", "online", "", ImProtocol.VERSION, Map.of(id, 0L)));
        assertThat(awaitEvent(backEvents, Error.class))
                .isEqualTo(new Error("not resumed: no longer a member of conversation " + id, "Register"));
    }

    @Test
    void answersARegistrationNamingThousandsOfConversationsWithOneError() throws Exception {
        start(Duration.ofMinutes(10));
        var alice = online("alice");
        Map<Long, Long> bogus = new java.util.HashMap<>();
        for (long id = 1; id <= 5_000; id++) {
            bogus.put(id, 0L);
        }
        BlockingQueue<ImEvent> events = new LinkedBlockingQueue<>();

        rawPeer(events).send(new Register("bob", "online", "", ImProtocol.VERSION, bogus));

        assertThat(awaitEvent(events, Error.class)).isEqualTo(new Error("not resumed: no longer a member of "
                + "conversations 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 4990 more", "Register"));
        alice.client().status("unaffected");
        alice.awaitOnline(online -> "unaffected".equals(online.get("alice")) && online.containsKey("bob"));
        assertThat(events).noneMatch(Error.class::isInstance);
    }

    @Test
    void signsOffTheUserHeldLongestWhenOneMoreDropsPastTheLimit() throws Exception {
        start(ServerOptions.builder().maxHeldUsers(2), Duration.ofMinutes(10));
        var alice = online("alice");
        List<ScriptedClient> dropping = List.of(online("bob"), online("carol"), online("dave"));
        alice.awaitOnline(online -> online.keySet().containsAll(List.of("bob", "carol", "dave")));

        dropping.get(0).client().close();
        awaitHeld("bob");
        dropping.get(1).client().close();
        awaitHeld("bob", "carol");
        dropping.get(2).client().close();

        alice.awaitOnline(online -> !online.containsKey("bob"));
        awaitHeld("carol", "dave");
        assertThat(server.onlineUsers()).containsKeys("alice", "carol", "dave").doesNotContainKey("bob");
    }

    @Test
    void signsOffAtOnceOnAGoodbyeWhateverTheWindow() throws Exception {
        start(Duration.ofMinutes(10));
        var alice = online("alice");
        var bob = online("bob");
        alice.awaitOnline(online -> online.containsKey("bob"));

        bob.client().goodbye();

        alice.awaitOnline(online -> !online.containsKey("bob"));
    }

    @Test
    void refusesTheNameOfAUserStillConnected() throws Exception {
        start(Duration.ofMinutes(10));
        online("alice");
        BlockingQueue<ImEvent> events = new LinkedBlockingQueue<>();

        rawPeer(events).send(new Register("alice", "online", "", ImProtocol.VERSION, Map.of()));

        assertThat(awaitEvent(events, Error.class)).isEqualTo(new Error("username alice is taken", "Register"));
    }

    private void start(Duration resumeWindow) throws IOException {
        start(ServerOptions.builder(), resumeWindow);
    }

    private void start(ServerOptions.Builder options, Duration resumeWindow) throws IOException {
        server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                options.onlineBroadcastPeriod(Duration.ZERO).presenceDelay(Duration.ZERO)
                        .resumeWindow(resumeWindow).build(), MemoryStore.create(StoreOptions.defaults()));
        opened.add(server);
    }

    /** Registers {@code peer} as {@code username}, whom {@code inviter} then invites; returns the conversation. */
    private static long registerAndInvite(Peer peer, String username, ScriptedClient inviter) throws IOException {
        peer.send(new Register(username, "online"));
        inviter.awaitOnline(online -> online.containsKey(username));
        inviter.client().invite(username);
        return inviter.await(Invitation.class).conversationId();
    }

    /** Waits, up to 30 s, until the server holds exactly {@code usernames}, in that order. */
    private void awaitHeld(String... usernames) throws Exception {
        Eventually.await(Duration.ofSeconds(30), "the server to hold " + List.of(usernames),
                () -> server.heldUsers().equals(List.of(usernames)));
    }

    private ScriptedClient online(String username) throws Exception {
        var client = ScriptedClient.connect(transport, server.localAddress(), username);
        opened.add(client);
        client.register("online");
        return client;
    }

    private Peer rawPeer(BlockingQueue<ImEvent> events) throws IOException {
        Peer peer = connectRaw(transport, server.localAddress(), events);
        opened.add(peer::close);
        return peer;
    }

    /** A connection that speaks records directly, past ImClient, putting what it receives in {@code events}. */
    static Peer connectRaw(Transport transport, SocketAddress server, BlockingQueue<ImEvent> events)
            throws IOException {
        return Endpoint.builder(Codec.defaults())
                .on(ImEvent.class, (p, event) -> events.add(event))
                .build()
                .connect(transport, server);
    }

    static <T extends ImEvent> T awaitEvent(BlockingQueue<ImEvent> events, Class<T> type) throws InterruptedException {
        for (int i = 0; i < 1_000; i++) {
            ImEvent event = events.poll(30, TimeUnit.SECONDS);
            assertThat(event).as("a %s within 30 s", type.getSimpleName()).isNotNull();
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " among 1,000 events");
    }
}
