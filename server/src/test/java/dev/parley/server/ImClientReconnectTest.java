package dev.parley.server;

import dev.parley.im.Error;
import dev.parley.im.ImClient;
import dev.parley.im.ImException;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.ReconnectPolicy;
import dev.parley.server.store.SqliteStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ImClient} with a {@link ReconnectPolicy} getting back to a server restarted on the same data. */
class ImClientReconnectTest {

    private static final ReconnectPolicy QUICK = new ReconnectPolicy(200, Duration.ofMillis(5), Duration.ofMillis(50));

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

    /** What a client's listener heard, in order. */
    private static final class Heard implements ImListener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final List<Message> messages = new ArrayList<>();
        final BlockingQueue<Error> errors = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> reconnecting = new CompletableFuture<>();
        final CompletableFuture<Void> back = new CompletableFuture<>();
        final CompletableFuture<ConnectionClosedException> disconnected = new CompletableFuture<>();

        @Override
        public void onInvitation(Invitation invitation) {
            events.add(invitation);
        }

        @Override
        public void onMessage(Message message) {
            synchronized (messages) {
                messages.add(message);
            }
            events.add(message);
        }

        @Override
        public void onError(Error error) {
            errors.add(error);
        }

        @Override
        public void onReconnecting(ConnectionClosedException cause) {
            reconnecting.complete(null);
        }

        @Override
        public void onDisconnected(ConnectionClosedException cause) {
            disconnected.complete(cause);
        }

        @Override
        public void onReconnected() {
            back.complete(null);
        }

        <T> T await(Class<T> type) throws InterruptedException {
            for (int i = 0; i < 1_000; i++) {
                Object event = events.poll(30, TimeUnit.SECONDS);
                assertThat(event).as("a %s within 30 s", type.getSimpleName()).isNotNull();
                if (type.isInstance(event)) {
                    return type.cast(event);
                }
            }
            throw new AssertionError("no " + type.getSimpleName());
        }

        List<Long> sequences() {
            synchronized (messages) {
                return messages.stream().map(Message::sequence).toList();
            }
        }
    }

    @Test
    void getsBackToARestartedServerResendsWhatWasNotAcknowledgedAndDeliversEachMessageOnceInOrder()
            throws Exception {
        ImServer first = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketAddress address = first.localAddress();
        var aliceHeard = new Heard();
        var bobHeard = new Heard();
        ImClient alice = client(address, aliceHeard);
        ImClient bob = client(address, bobHeard);
        alice.register("alice", "online").get(30, TimeUnit.SECONDS);
        bob.register("bob", "online").get(30, TimeUnit.SECONDS);
        alice.invite("bob");
        long id = bobHeard.await(Invitation.class).conversationId();
        bob.join(id);
        assertThat(bob.send(id, "one").get(30, TimeUnit.SECONDS)).isEqualTo(1);

        first.close();
        aliceHeard.reconnecting.get(30, TimeUnit.SECONDS);
        bobHeard.reconnecting.get(30, TimeUnit.SECONDS);
        CompletableFuture<Long> sentWhileAway = alice.send(id, "two");
        assertThat(sentWhileAway).isNotDone();
        start(address);

        aliceHeard.back.get(30, TimeUnit.SECONDS);
        bobHeard.back.get(30, TimeUnit.SECONDS);
        assertThat(sentWhileAway.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(alice.send(id, "three").get(30, TimeUnit.SECONDS)).isEqualTo(3);
        for (Heard heard : List.of(aliceHeard, bobHeard)) {
            while (heard.sequences().size() < 3) {
                heard.await(Message.class);
            }
            assertThat(heard.sequences()).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void failsARefusedSendsFutureAndDoesNotSendItAgainAfterReconnecting() throws Exception {
        ServerOptions shortTexts = ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).maxTextLength(5).build();
        ImServer first = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), shortTexts);
        SocketAddress address = first.localAddress();
        var heard = new Heard();
        ImClient alice = client(address, heard);
        alice.register("alice", "online").get(30, TimeUnit.SECONDS);
        alice.invite("alice");
        long id = heard.await(Invitation.class).conversationId();

        CompletableFuture<Long> tooLong = alice.send(id, "far too long");

        assertThatThrownBy(() -> tooLong.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ImException.class)
                .hasMessageContaining("message too long");
        assertThat(heard.errors.take().request()).isEqualTo("SendMessage");

        first.close();
        heard.reconnecting.get(30, TimeUnit.SECONDS);
        start(address, shortTexts);
        heard.back.get(30, TimeUnit.SECONDS);
        assertThat(alice.send(id, "short").get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(heard.errors).as("the refused send was not sent again").isEmpty();
    }

    @Test
    void givesUpAfterItsAttemptsAndSaysSo() throws Exception {
        ImServer server = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var heard = new Heard();
        ImClient alice = ImClient.connect(transport, List.of(server.localAddress()), heard,
                new ReconnectPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)));
        opened.add(alice);
        alice.register("alice", "online").get(30, TimeUnit.SECONDS);

        server.close();

        heard.reconnecting.get(30, TimeUnit.SECONDS);
        ConnectionClosedException cause = alice.closeFuture().get(30, TimeUnit.SECONDS);
        assertThat(cause.getMessage()).contains("could not get back to the server in 3 attempts");
        assertThat(heard.disconnected).isCompletedWithValue(cause);
    }

    private ImServer start(SocketAddress address) throws Exception {
        return start(address, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build());
    }

    private ImServer start(SocketAddress address, ServerOptions options) throws Exception {
        ImServer server = ImServer.start(transport, address, options, SqliteStore.open(data, StoreOptions.defaults()));
        opened.add(server);
        return server;
    }

    private ImClient client(SocketAddress address, Heard heard) throws Exception {
        ImClient client = ImClient.connect(transport, List.of(address), heard, QUICK);
        opened.add(client);
        return client;
    }
}
