package dev.parley.gui;

import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.server.cli.Addresses;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** The adapter between ImClient and the view model, against a real server over the memory transport, without a display. */
class ImSessionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(5);

    private final ExecutorService ui = Executors.newSingleThreadExecutor();
    private final ChatModel model = new ChatModel(ImSession.DEFAULT_HISTORY_PAGE); // fewer lines than a test says
    private final ImSession session = new ImSession(model, ui, Clock.systemUTC());
    private ImServer server;
    private ScriptedClient bob;

    @BeforeEach
    void startServerWithBobOnline() throws Exception {
        server = ImServer.start(Transport.byName("memory"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).presenceDelay(Duration.ZERO)
                        .messageBurst(1_000).build()); // bob says 120 things in a row
        bob = ScriptedClient.connect(Transport.byName("memory"), server.localAddress(), "bob");
        bob.register("online");
    }

    @AfterEach
    void stop() {
        session.close();
        bob.close();
        server.close();
        ui.shutdown();
    }

    @Test
    void signsInSeesBuddiesChatsThroughTheModelAndReconnectsWhenTheServerGoes() throws Exception {
        session.signIn(signIn("alice")).get();

        await(m -> m.state() == ConnectionState.CONNECTED && m.buddies().contains(new Buddy("bob", "online")));

        session.invite(List.of("bob"));
        long id = bob.await(Invitation.class).conversationId();
        bob.client().join(id);
        bob.sync(); // the join is in before alice speaks
        await(m -> m.conversation(id) != null);
        session.send(id, "héllo 😀 привет");
        bob.await(Message.class, message -> message.text().equals("héllo 😀 привет"));
        bob.client().send(id, "hi alice");

        var lines = read(m -> m.conversation(id).lines().size() == 2 ? m.conversation(id).lines() : null);
        assertThat(lines).extracting(ChatLine::sequence, ChatLine::sender, ChatLine::own)
                .containsExactly(tuple(1L, "alice", true), tuple(2L, "bob", false));

        bob.client().status("away");
        await(m -> m.buddies().contains(new Buddy("bob", "away")));

        server.close();
        await(m -> m.state() == ConnectionState.RECONNECTING);
    }

    @Test
    void pagesOlderMessagesInBeforeTheFirstOneKept() throws Exception {
        int said = 2 * ImSession.DEFAULT_HISTORY_PAGE + 20;
        session.signIn(signIn("alice")).get();
        session.invite(List.of("bob"));
        long id = bob.await(Invitation.class).conversationId();
        bob.client().join(id);
        bob.sync(); // the join is in before bob speaks
        for (int i = 1; i <= said; i++) {
            bob.client().send(id, "old " + i).get(30, TimeUnit.SECONDS);
        }
        await(m -> m.conversation(id) != null && m.conversation(id).newestSequence() == said);
        // The model keeps the newest lines only (its limit); the server has them all.
        await(m -> m.conversation(id).hasOlderHistory());

        for (int page = 0; page < said && read(m -> m.conversation(id).hasOlderHistory()); page++) {
            long oldest = read(m -> m.conversation(id).oldestSequence());
            session.loadOlder(id, oldest);
            await(m -> m.conversation(id).oldestSequence() < oldest || !m.conversation(id).hasOlderHistory());
        }

        var lines = read(m -> m.conversation(id).lines());
        assertThat(lines).extracting(ChatLine::sequence)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, said).boxed().toList());
        assertThat(lines.getFirst().text()).isEqualTo("old 1");
    }

    @Test
    void showsWhatWasSaidBeforeJoiningOnceJoinedAndEachLaterLineOnce() throws Exception {
        session.signIn(signIn("alice")).get();
        var carol = ScriptedClient.connect(Transport.byName("memory"), server.localAddress(), "carol");
        try (carol) {
            carol.register("online");
            bob.client().invite(List.of("carol", "alice"));
            long id = carol.await(Invitation.class).conversationId();
            carol.client().join(id);
            carol.sync();
            bob.client().send(id, "before you came").get(30, TimeUnit.SECONDS);
            carol.client().send(id, "indeed").get(30, TimeUnit.SECONDS);
            await(m -> m.invitations().stream().anyMatch(invitation -> invitation.conversationId() == id));

            session.join(id);
            await(m -> m.conversation(id) != null && m.conversation(id).lines().size() == 2);
            bob.client().send(id, "welcome").get(30, TimeUnit.SECONDS);

            var lines = read(m -> m.conversation(id).lines().size() == 3 ? m.conversation(id).lines() : null);
            assertThat(lines).extracting(ChatLine::sequence, ChatLine::sender, ChatLine::text).containsExactly(
                    tuple(1L, "bob", "before you came"), tuple(2L, "carol", "indeed"), tuple(3L, "bob", "welcome"));
        }
    }

    @Test
    void givesBackAMessageTheServerRefusesAndSendsOneOfTheLongestLength() throws Exception {
        var problems = new CopyOnWriteArrayList<String>();
        var givenBack = new CopyOnWriteArrayList<String>();
        ui.submit(() -> model.addListener(new ChatModel.Listener() {
            @Override
            public void problem(String text) {
                problems.add(text);
            }

            @Override
            public void notSent(Conversation conversation, String text) {
                givenBack.add(conversation.id() + ":" + text);
            }
        })).get();
        session.signIn(signIn("alice")).get();
        session.invite(List.of("bob"));
        long id = bob.await(Invitation.class).conversationId();
        await(m -> m.conversation(id) != null);
        int longest = ServerOptions.defaults().maxTextLength();

        String tooLong = "é".repeat(longest + 1);
        session.send(id, tooLong);
        await(m -> !givenBack.isEmpty());
        assertThat(givenBack).containsExactly(id + ":" + tooLong);
        assertThat(problems).anySatisfy(problem -> assertThat(problem).startsWith("SendMessage: ").contains("too long"));

        String longestAllowed = "😀".repeat(longest / 2); // two chars each
        session.send(id, longestAllowed);
        await(m -> m.conversation(id).lines().size() == 1);
        String shown = read(m -> m.conversation(id).lines().getFirst().text());
        assertThat(shown).isEqualTo(longestAllowed);
        assertThat(givenBack).hasSize(1);
    }

    @Test
    void saysInWordsThatTheNameIsTaken() {
        assertThatThrownBy(() -> session.signIn(signIn("BOB")).get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ImSession.SignInException.class)
                .hasMessage("The server said: username BOB is taken");
        await(m -> m.state() == ConnectionState.DISCONNECTED);
    }

    @Test
    void saysInWordsThatTheServerCannotBeReached() throws Exception {
        var gone = ImServer.start(Transport.byName("memory"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.defaults());
        String address = Addresses.format(gone.localAddress());
        gone.close();

        assertThatThrownBy(() -> session.signIn(new SignIn(address, "memory", null, "alice", "", "online")).get())
                .cause().hasMessageStartingWith("Cannot reach " + address + " over memory: ");
    }

    @Test
    void saysInWordsThatTheServerSpeaksGarbageAndCanThenSignInElsewhere() throws Exception {
        try (var garbage = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                // Every connection gets bytes that are no Parley frame, then is left open.
                var random = new Random(7);
                while (!garbage.isClosed()) {
                    try {
                        Socket connection = garbage.accept();
                        byte[] noise = new byte[4096];
                        random.nextBytes(noise);
                        connection.getOutputStream().write(noise);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            String address = "127.0.0.1:" + garbage.getLocalPort();

            assertThatThrownBy(() -> session.signIn(new SignIn(address, "tcp", null, "alice", "", "online")).get())
                    .cause().isInstanceOf(ImSession.SignInException.class)
                    .hasMessageStartingWith("Lost the server while signing in: ");
            await(m -> m.state() == ConnectionState.DISCONNECTED);
        }

        session.signIn(signIn("alice")).get();
        await(m -> m.state() == ConnectionState.CONNECTED && m.buddies().contains(new Buddy("bob", "online")));
    }

    @Test
    void saysWhichTransportsThereAreForAnUnknownOne() {
        assertThatThrownBy(() -> session.signIn(new SignIn("localhost:1", "carrier-pigeon", null, "alice", "", "online")).get())
                .cause().hasMessageContaining("carrier-pigeon");
    }

    private SignIn signIn(String user) {
        return new SignIn(Addresses.format(server.localAddress()), "memory", null, user, "", "online");
    }

    /** Waits until the model, read on its own thread, meets {@code condition}. */
    private void await(Predicate<ChatModel> condition) {
        read(m -> condition.test(m) ? Boolean.TRUE : null);
    }

    /** Waits until {@code reading}, run on the model's thread, gives something other than null. */
    private <T> T read(Function<ChatModel, T> reading) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            T value = CompletableFuture.supplyAsync(() -> reading.apply(model), ui).join();
            if (value != null) {
                return value;
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        throw new IllegalStateException("the model did not get there within " + TIMEOUT.toSeconds() + " s");
    }
}
