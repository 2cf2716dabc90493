package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.ReconnectPolicy;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member whose connection is cut through the chaos proxy while a conversation runs ({@code
 * reset_peer}, a partition longer than its idle timeout, the proxy down and up) reconnects by itself,
 * misses nothing, gets nothing twice, and nobody sees it go offline.
 */
class ImResumeThroughCutsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final TransportOptions CLIENT_OPTIONS = TransportOptions.defaults().toBuilder()
            .idleTimeout(Duration.ofMillis(1_500)).keepAliveInterval(Duration.ofMillis(300))
            .connectTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1)).build();
    /** So that the server, too, lets go of a connection that a partition left half-open. */
    private static final TransportOptions SERVER_OPTIONS = TransportOptions.defaults().toBuilder()
            .idleTimeout(Duration.ofSeconds(3)).keepAliveInterval(Duration.ofMillis(500)).build();

    @RegisterExtension
    final ChaosExtension chaos = ChaosExtension.create();

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<Long> bobSaw = new ArrayList<>();
    private final AtomicInteger reconnecting = new AtomicInteger();
    private final AtomicInteger reconnected = new AtomicInteger();
    private ScriptedClient alice;
    private long conversation;
    private int sent;

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
        chaos.proxies().close();
    }

    @Test
    void aCutMemberMissesNothingAndNobodySeesItGoOffline() throws Exception {
        Assume.toxic(chaos, ToxicType.PARTITION);
        ImServer server = ImServer.start(Transport.byName("tcp", SERVER_OPTIONS),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().presenceDelay(Duration.ZERO).build());
        opened.add(server);
        ChaosProxy proxy = chaos.proxies().createProxy("im", Protocol.TCP, (InetSocketAddress) server.localAddress());
        alice = ScriptedClient.connect(Transport.byName("tcp"), server.localAddress(), "alice");
        opened.add(alice);
        alice.register("online");
        ImClient bob = ImClient.connect(Transport.byName("tcp", CLIENT_OPTIONS), List.of(proxy.listenAddress()),
                new Bob(), new ReconnectPolicy(10_000, Duration.ofMillis(20), Duration.ofMillis(300)));
        opened.add(bob);
        bob.register("bob", "online").get(30, TimeUnit.SECONDS);
        alice.client().invite("bob");
        conversation = alice.await(Invitation.class).conversationId();
        bob.join(conversation);
        bob.list().get(30, TimeUnit.SECONDS);
        say(5);

        proxy.add(Toxic.of(ToxicType.RESET_PEER, Direction.DOWNSTREAM));
        awaitCut(1);
        say(5);
        proxy.remove("reset_peer_downstream");
        awaitBack(1);

        Partitions.cut(proxy);
        say(5);
        awaitCut(2);
        Partitions.heal(proxy);
        awaitBack(2);

        proxy.disable();
        awaitCut(3);
        say(5);
        proxy.enable();
        awaitBack(3);
        say(5);

        Eventually.await(() -> bobSaw().size() >= sent, PATIENCE, "bob gets all " + sent + " messages");
        assertThat(bobSaw()).containsExactlyElementsOf(LongStream.rangeClosed(1, sent).boxed().toList());
        assertThat(alice.sync()).noneMatch(event -> event instanceof OnlineUsersChanged changed
                && changed.offline().contains("bob"));
        assertThat(server.onlineUsers()).containsKey("bob");
    }

    /** Alice says {@code count} more messages, each stored before the next. */
    private void say(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            alice.client().send(conversation, "message " + ++sent).get(30, TimeUnit.SECONDS);
        }
    }

    private void awaitCut(int times) {
        Eventually.await(() -> reconnecting.get() >= times, PATIENCE, "bob loses the server (" + times + ")");
    }

    private void awaitBack(int times) {
        Eventually.await(() -> reconnected.get() >= times, PATIENCE, "bob is back (" + times + ")");
    }

    private List<Long> bobSaw() {
        synchronized (bobSaw) {
            return List.copyOf(bobSaw);
        }
    }

    private final class Bob implements ImListener {
        @Override
        public void onMessage(Message message) {
            synchronized (bobSaw) {
                bobSaw.add(message.sequence());
            }
        }

        @Override
        public void onReconnecting(ConnectionClosedException cause) {
            reconnecting.incrementAndGet();
        }

        @Override
        public void onReconnected() {
            reconnected.incrementAndGet();
        }
    }
}
