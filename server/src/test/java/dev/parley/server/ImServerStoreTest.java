package dev.parley.server;

import dev.parley.Peer;
import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.GetHistory;
import dev.parley.im.History;
import dev.parley.im.ImClient;
import dev.parley.im.ImEvent;
import dev.parley.im.ImListener;
import dev.parley.im.ImProtocol;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.Register;
import dev.parley.server.store.Appended;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.HistoryPage;
import dev.parley.server.store.SqliteStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The IM server over a {@link ChatStore}: numbered messages, history, restarts, invitations per user. */
class ImServerStoreTest {

    private static final ServerOptions OPTIONS = ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build();

    @TempDir
    Path data;

    private final Transport transport = Transport.byName("memory");
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void acknowledgesEachMessageWithItsSequenceNumberOnceStoredAndNumbersThemForEveryMember() throws Exception {
        ImServer server = start(OPTIONS, sqlite());
        var alice = online(server, "alice");
        var bob = online(server, "bob");
        long id = ImServerTest.conversation(alice, bob);

        long first = alice.client().send(id, "one").get(30, TimeUnit.SECONDS);
        long second = bob.client().send(id, "two").get(30, TimeUnit.SECONDS);

        assertThat(List.of(first, second)).containsExactly(1L, 2L);
        assertThat(List.of(bob.await(Message.class), bob.await(Message.class)))
                .extracting(Message::sequence, Message::text)
                .containsExactly(tuple(1L, "one"), tuple(2L, "two"));
    }

    @Test
    void keepsConversationsTheirIdsAndHistoryAcrossARestartOnTheSameData() throws Exception {
        long id;
        try (ImServer server = ImServer.start(transport, loopback(), OPTIONS, sqlite());
             var alice = ScriptedClient.connect(transport, server.localAddress(), "alice");
             var bob = ScriptedClient.connect(transport, server.localAddress(), "bob")) {
            alice.register("online");
            bob.register("online");
            id = ImServerTest.conversation(alice, bob);
            alice.client().send(id, "before the restart").get(30, TimeUnit.SECONDS);
            server.close();
        }

        ImServer restarted = start(OPTIONS, sqlite());
        var alice = online(restarted, "alice");
        alice.client().list();
        assertThat(alice.await(Conversations.class).conversations()).containsEntry(id, List.of("alice", "bob"));
        assertThat(alice.client().history(id, 1, false, 10).get(30, TimeUnit.SECONDS).messages())
                .extracting(Message::sequence, Message::text)
                .containsExactly(tuple(1L, "before the restart"));
        assertThat(alice.client().send(id, "after it").get(30, TimeUnit.SECONDS)).isEqualTo(2);
        alice.client().invite("alice");
        assertThat(alice.await(Invitation.class).conversationId()).isGreaterThan(id);
    }

    @Test
    void saysFromWhichNumberHistoryIsKeptWhenAskedForTrimmedMessages() throws Exception {
        ImServer server = start(OPTIONS, SqliteStore.open(data, StoreOptions.defaults().withRetainedMessages(3)));
        var alice = online(server, "alice");
        var bob = online(server, "bob");
        long id = ImServerTest.conversation(alice, bob);
        for (int i = 1; i <= 5; i++) {
            alice.client().send(id, "m" + i).get(30, TimeUnit.SECONDS);
        }

        History history = alice.client().history(id, 1, false, 10).get(30, TimeUnit.SECONDS);

        assertThat(history.firstSequence()).isEqualTo(3);
        assertThat(history.lastSequence()).isEqualTo(5);
        assertThat(history.messages()).extracting(Message::sequence).containsExactly(3L, 4L, 5L);
    }

    @Test
    void refusesHistoryToNonMembersAndRequestsWithAbsurdNumbersAndCarriesOn() throws Exception {
        ImServer server = start(OPTIONS, sqlite());
        var alice = online(server, "alice");
        var bob = online(server, "bob");
        var carol = online(server, "carol");
        long id = ImServerTest.conversation(alice, bob);
        alice.client().send(id, "hi").get(30, TimeUnit.SECONDS);

        carol.client().history(id, 1, false, 10);
        assertThat(carol.await(Error.class)).isEqualTo(new Error("not a member of conversation " + id, "GetHistory"));
        alice.client().history(id, 1, false, 0);
        assertThat(alice.await(Error.class).message()).isEqualTo("a history page holds at least 1 message, not 0");
        alice.client().history(id, -1, true, 10);
        assertThat(alice.await(Error.class).message()).startsWith("sequence numbers start at 1");
        alice.client().history(id + 1_000_000, 1, false, 10);
        assertThat(alice.await(Error.class).message()).isEqualTo("unknown conversation " + (id + 1_000_000));

        assertThat(alice.client().history(id, Long.MAX_VALUE, true, Integer.MAX_VALUE).get(30, TimeUnit.SECONDS)
                .messages()).extracting(Message::text).containsExactly("hi");
        assertThat(alice.client().history(id, Long.MAX_VALUE, false, 10).get(30, TimeUnit.SECONDS).messages()).isEmpty();
    }

    @Test
    void keepsInvitationsPerUserSoAnotherUserOnTheSameConnectionCannotJoin() throws Exception {
        ImServer server = start(ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO)
                .joinPolicy(JoinPolicy.INVITED_ONLY).build(), sqlite());
        var alice = online(server, "alice");
        BlockingQueue<ImEvent> events = new LinkedBlockingQueue<>();
        Peer connection = rawPeer(server, events);
        connection.send(new Register("bob", "online"));
        alice.awaitOnline(online -> online.containsKey("bob"));
        alice.client().invite("bob");
        long id = alice.await(Invitation.class).conversationId();
        assertThat(ImServerResumeTest.awaitEvent(events, Invitation.class).conversationId()).isEqualTo(id);

        connection.send(new dev.parley.im.Goodbye());
        connection.send(new Register("mallory", "online"));
        connection.send(new dev.parley.im.Join(id));

        assertThat(awaitError(events)).isEqualTo(new Error("not invited to conversation " + id, "Join"));
    }

    @Test
    void refusesAClientOfAnotherProtocolVersionSayingWhich() throws Exception {
        ImServer server = start(OPTIONS, sqlite());
        BlockingQueue<ImEvent> events = new LinkedBlockingQueue<>();
        Peer old = rawPeer(server, events);

        old.send(new Register("alice", "online", "", 1, Map.of()));

        assertThat(awaitError(events)).isEqualTo(new Error(
                "protocol version 1 is not supported: this server speaks version " + ImProtocol.VERSION, "Register"));
    }

    @Test
    void refusesASendWithAnErrorWhenTheStoreFailsAndKeepsServing() throws Exception {
        ChatStore store = sqlite();
        ImServer server = start(OPTIONS, store);
        var alice = online(server, "alice");
        var bob = online(server, "bob");
        long id = ImServerTest.conversation(alice, bob);
        store.close();

        var lost = alice.client().send(id, "lost?");

        assertThat(alice.await(Error.class).message()).startsWith("not stored: store ").endsWith(" is closed");
        // The client tells its listener before it fails the future: wait for the future, not for a race.
        assertThat(lost).failsWithin(Duration.ofSeconds(30));
        alice.client().status("still here");
        bob.awaitOnline(online -> "still here".equals(online.get("alice")));
    }

    @Test
    void servesOtherClientsWhileAHistoryReadWaitsOnTheStore() throws Exception {
        var reading = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        ChatStore slow = new SlowHistory(sqlite(), reading, release);
        ImServer server = start(OPTIONS, slow);
        var alice = online(server, "alice");
        var bob = online(server, "bob");
        long id = ImServerTest.conversation(alice, bob);
        alice.client().send(id, "hi").get(30, TimeUnit.SECONDS);

        var page = alice.client().history(id, 1, false, 10);
        assertThat(reading.await(30, TimeUnit.SECONDS)).as("the store is asked").isTrue();
        try {
            bob.client().status("busy");
            bob.awaitOnline(online -> "busy".equals(online.get("bob")));
        } finally {
            release.countDown();
        }

        assertThat(page.get(30, TimeUnit.SECONDS).messages()).extracting(Message::text).containsExactly("hi");
    }

    @Test
    void deliversMessagesAfterOneWhoseAppendFailedButWasStoredAllTheSameInsteadOfWaitingForItForever()
            throws Exception {
        ImServer server = start(OPTIONS, new LosesTheReply(sqlite(), "lost reply"));
        var alice = online(server, "alice");
        var bob = online(server, "bob");
        long id = ImServerTest.conversation(alice, bob);

        assertThat(alice.client().send(id, "lost reply")).failsWithin(Duration.ofSeconds(30))
                .withThrowableThat().withMessageContaining("not stored: store unavailable");
        assertThat(alice.client().send(id, "after it").get(30, TimeUnit.SECONDS)).isEqualTo(2);

        assertThat(List.of(bob.await(Message.class), bob.await(Message.class)))
                .extracting(Message::sequence, Message::text)
                .containsExactly(tuple(1L, "lost reply"), tuple(2L, "after it"));
    }

    @Test
    void completesASendOnlyOnceTheSendersListenerHasItsMessage() throws Exception {
        var release = new CompletableFuture<Void>();
        ImServer server = start(OPTIONS, new HeldAppends(sqlite(), release));
        var bob = online(server, "bob");
        List<String> delivered = new CopyOnWriteArrayList<>();
        ImClient alice = ImClient.connect(transport, server.localAddress(), new ImListener() {
            @Override
            public void onMessage(Message message) {
                delivered.add(message.text());
            }
        });
        opened.add(alice);
        alice.register("alice", "online").get(30, TimeUnit.SECONDS);
        alice.invite("bob");
        long id = bob.await(Invitation.class).conversationId();
        bob.client().join(id);
        bob.sync();

        // Held in the store until the callback is in place, so that it runs when the send completes.
        var deliveredWhenAcknowledged = alice.send(id, "mine").thenApply(sequence -> List.copyOf(delivered));
        release.complete(null);

        assertThat(deliveredWhenAcknowledged.get(30, TimeUnit.SECONDS)).as("what alice's listener had then")
                .containsExactly("mine");
    }

    /** A store whose appends wait for {@code release}. */
    private static final class HeldAppends extends ForwardingStore {
        private final CompletableFuture<Void> release;

        HeldAppends(ChatStore store, CompletableFuture<Void> release) {
            super(store);
            this.release = release;
        }

        @Override
        public CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String text) {
            return release.thenCompose(released -> store.append(conversationId, sender, clientMessageId, text));
        }
    }

    /** A store whose history reads wait for {@code release}, saying when one starts. */
    private static final class SlowHistory extends ForwardingStore {
        private final CountDownLatch reading;
        private final CountDownLatch release;

        SlowHistory(ChatStore store, CountDownLatch reading, CountDownLatch release) {
            super(store);
            this.reading = reading;
            this.release = release;
        }

        @Override
        public HistoryPage history(long conversationId, long from, Direction direction, int limit)
                throws StoreException {
            reading.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted", e);
            }
            return store.history(conversationId, from, direction, limit);
        }
    }

    /**
     * A store that stores a message with {@code text} and then reports failure, as a store that
     * lost its connection before the reply came (Redis) does.
     */
    private static final class LosesTheReply extends ForwardingStore {
        private final String text;

        LosesTheReply(ChatStore store, String text) {
            super(store);
            this.text = text;
        }

        @Override
        public CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String said) {
            CompletionStage<Appended> stored = store.append(conversationId, sender, clientMessageId, said);
            if (!said.equals(text)) {
                return stored;
            }
            return stored.thenCompose(appended -> CompletableFuture.failedFuture(
                    new StoreException("store unavailable: lost the connection")));
        }
    }

    private static Error awaitError(BlockingQueue<ImEvent> events) throws InterruptedException {
        return ImServerResumeTest.awaitEvent(events, Error.class);
    }

    private SqliteStore sqlite() throws StoreException {
        return SqliteStore.open(data, StoreOptions.defaults());
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private ImServer start(ServerOptions options, ChatStore store) throws IOException {
        ImServer server = ImServer.start(transport, loopback(), options, store);
        opened.add(server);
        return server;
    }

    private ScriptedClient online(ImServer server, String username) throws Exception {
        var client = ScriptedClient.connect(transport, server.localAddress(), username);
        opened.add(client);
        client.register("online");
        return client;
    }

    private Peer rawPeer(ImServer server, BlockingQueue<ImEvent> events) throws IOException {
        Peer peer = ImServerResumeTest.connectRaw(transport, server.localAddress(), events);
        opened.add(peer::close);
        return peer;
    }
}
