package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.server.cli.ServerProcess;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults that break a connection: the client learns a clear, typed cause within the configured
 * timeout, nothing is left behind (the proxy's connection, the server's session, any proxy or
 * transport thread once everything is closed), and the user can reconnect under the same name.
 */
abstract class ImConnectionFaultsScenarios {

    /** Short, so that a partition outlives it quickly. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1_500);
    /** What a test allows beyond a timeout for the cause to be reported. */
    private static final Duration MARGIN = Duration.ofSeconds(2);
    /**
     * The clients' options. The close timeout is under {@link #MARGIN}: a client closed just before
     * its server process is killed never hears its close acknowledged over UDP and gives up only
     * then, and the leak check after each test waits {@code MARGIN} for its threads to end.
     */
    private static final TransportOptions OPTIONS = TransportOptions.defaults().toBuilder()
            .idleTimeout(IDLE_TIMEOUT).keepAliveInterval(Duration.ofMillis(300))
            .connectTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1)).build();

    /** Longer than the clients', so that a client, not the server, notices a stall first. */
    private static final Duration SERVER_IDLE_TIMEOUT = Duration.ofSeconds(4);
    private static final TransportOptions SERVER_OPTIONS = TransportOptions.defaults().toBuilder()
            .idleTimeout(SERVER_IDLE_TIMEOUT).keepAliveInterval(Duration.ofSeconds(1)).build();

    @RegisterExtension
    final ChaosExtension chaos = extension();

    private final List<AutoCloseable> opened = new ArrayList<>();
    private ChaosProxy proxy;
    private Transport transport;
    private Transport serverTransport;
    private ImServer server;

    @AfterEach
    void closeEverythingAndLeaveNoThreadBehind() throws Exception {
        Exception failure = null;
        for (AutoCloseable closeable : opened.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        chaos.proxies().close();
        if (failure != null) {
            throw failure;
        }
        Eventually.await(() -> LiveThreads.named("chaos-", "parley-tcp-", "parley-udp-").isEmpty(), MARGIN,
                "every proxy and transport thread ends; alive: " + LiveThreads.named("chaos-", "parley-tcp-", "parley-udp-"));
    }

    @Test
    void resetPeerEndsTheConnectionWithResetByPeerAndTheUserComesBack() throws Exception {
        start("tcp");
        ScriptedClient watcher = watcher();
        ScriptedClient alice = online("alice");
        watcher.awaitOnline(online -> online.containsKey("alice"));
        assertThat(LiveThreads.named("chaos-", "parley-tcp-")).as("the leak check sees virtual threads").isNotEmpty();

        proxy.add(Toxic.of(ToxicType.RESET_PEER, Direction.DOWNSTREAM));

        assertDisconnect(alice, Set.of(Reason.RESET_BY_PEER), MARGIN);
        proxy.remove("reset_peer_downstream");
        assertCleanedUpAndBack(alice, watcher);
    }

    @Test
    void limitDataEndsTheConnectionOnceTheLimitIsPassedAndTheUserComesBack() throws Exception {
        start("tcp");
        ScriptedClient alice = online("alice");
        ScriptedClient watcher = watcher();
        alice.awaitOnline(online -> online.containsKey("watcher"));

        proxy.add(Toxic.of(ToxicType.LIMIT_DATA, Direction.DOWNSTREAM).with("bytes", 10));
        watcher.client().status("away");

        assertDisconnect(alice, Set.of(Reason.CLOSED_BY_PEER, Reason.RESET_BY_PEER), MARGIN);
        proxy.remove("limit_data_downstream");
        // The client hears of the close before the server does: it comes back only once the server has let it go.
        assertCleanedUpAndBack(alice, watcher);
    }

    @Test
    void aTimeoutToxicThatNeverClosesIsCaughtByTheIdleTimeout() throws Exception {
        start("tcp");
        ScriptedClient alice = online("alice");

        proxy.add(Toxic.of(ToxicType.TIMEOUT, Direction.DOWNSTREAM));

        assertDisconnect(alice, Set.of(Reason.IDLE_TIMEOUT), IDLE_TIMEOUT.plus(MARGIN));
        proxy.remove("timeout_downstream");
        Eventually.await(() -> server.onlineUsers().isEmpty(), MARGIN, "the server forgets alice");
        assertThat(connect("alice").register("back")).containsKey("alice");
    }

    @OverFaultTransports
    void aPartitionLongerThanTheIdleTimeoutEndsTheConnectionAndHealingLetsTheUserBackIn(String transportName)
            throws Exception {
        Assume.toxic(chaos, ToxicType.PARTITION);
        start(transportName);
        ScriptedClient alice = online("alice");

        Partitions.cut(proxy);

        assertDisconnect(alice, Set.of(Reason.IDLE_TIMEOUT, Reason.PEER_UNRESPONSIVE), IDLE_TIMEOUT.plus(MARGIN));
        Partitions.heal(proxy);
        Eventually.await(() -> server.onlineUsers().isEmpty(), SERVER_IDLE_TIMEOUT.plus(MARGIN), "the server forgets alice");
        assertThat(connect("alice").register("back")).containsKey("alice");
    }

    @OverFaultTransports
    void aProxyTakenDownEndsTheConnectionRefusesNewOnesAndComesBack(String transportName) throws Exception {
        start(transportName);
        ScriptedClient alice = online("alice");

        proxy.disable();

        Set<Reason> expected = transportName.equals("tcp") ? Set.of(Reason.CLOSED_BY_PEER)
                : Set.of(Reason.IDLE_TIMEOUT, Reason.PEER_UNRESPONSIVE);
        assertDisconnect(alice, expected, IDLE_TIMEOUT.plus(MARGIN));
        // Refused, or (when the kernel picks the freed port as the client's own, and the client
        // connects to itself) unable to register: either way nobody gets in while the proxy is down.
        assertThatThrownBy(() -> online("bob")).isInstanceOfAny(IOException.class, IllegalStateException.class);
        proxy.enable();
        Eventually.await(() -> server.onlineUsers().isEmpty(), SERVER_IDLE_TIMEOUT.plus(MARGIN), "the server forgets alice");
        assertThat(connect("alice").register("back")).containsKey("alice");
    }

    @OverFaultTransports
    void aKilledServerProcessEndsTheConnectionAndARestartedOneTakesTheUserBack(String transportName)
            throws Exception {
        Assume.protocol(chaos, transportName);
        transport = Transport.byName(transportName, KilledServerClients.options(transportName, OPTIONS));
        ServerProcess first = serverProcess(transportName, 0);
        int port = first.port();
        proxy = chaos.proxies().createProxy("im", Protocol.fromWireName(transportName),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        ScriptedClient alice = online("alice");

        first.kill();

        Set<Reason> expected = transportName.equals("tcp") ? Set.of(Reason.CLOSED_BY_PEER, Reason.RESET_BY_PEER)
                : Set.of(Reason.IDLE_TIMEOUT, Reason.PEER_UNRESPONSIVE, Reason.RESET_BY_PEER);
        assertDisconnect(alice, expected, IDLE_TIMEOUT.plus(MARGIN));
        serverProcess(transportName, port);
        assertThat(connect("alice").register("back")).containsKey("alice");
    }

    private void start(String transportName) throws IOException {
        Assume.protocol(chaos, transportName);
        transport = Transport.byName(transportName, OPTIONS);
        serverTransport = Transport.byName(transportName, SERVER_OPTIONS);
        // No resume window: these scenarios check that a broken connection leaves nothing behind at once.
        server = ImServer.start(serverTransport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().resumeWindow(Duration.ZERO).build());
        opened.add(server);
        proxy = chaos.proxies().createProxy("im", Protocol.fromWireName(transportName),
                (InetSocketAddress) server.localAddress());
    }

    private ScriptedClient online(String name) throws Exception {
        var client = connect(name);
        client.register("online");
        return client;
    }

    private ScriptedClient connect(String name) throws IOException {
        var client = ScriptedClient.connect(transport, proxy.listenAddress(), name);
        opened.add(client);
        return client;
    }

    /** A client straight to the server, past the proxy and its faults. */
    private ScriptedClient watcher() throws Exception {
        var client = ScriptedClient.connect(serverTransport, server.localAddress(), "watcher");
        opened.add(client);
        client.register("online");
        return client;
    }


    private static void assertDisconnect(ScriptedClient client, Set<Reason> reasons, Duration within) {
        long start = System.nanoTime();
        ConnectionClosedException cause = client.awaitDisconnect();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(cause.reason()).as("why %s was disconnected: %s", client.username(), cause).isIn(reasons);
        assertThat(took).as("how long %s took to notice", client.username()).isLessThanOrEqualTo(within);
        assertThat(client.client().isConnected()).isFalse();
    }

    private void assertCleanedUpAndBack(ScriptedClient gone, ScriptedClient watcher) throws Exception {
        watcher.awaitOnline(online -> !online.containsKey(gone.username()));
        Eventually.await(() -> proxy.connectionCount() <= 0, MARGIN, "the proxy closes the broken connection");
        assertThat(server.onlineUsers()).doesNotContainKey(gone.username());
        assertThat(connect(gone.username()).register("back")).containsKey(gone.username());
    }

    private ServerProcess serverProcess(String transportName, int port) throws IOException {
        ServerProcess server = ServerProcess.start(List.of("--store", "memory", "--transport", transportName,
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--keepalive", KilledServerClients.SERVER_KEEPALIVE));
        opened.add(server);
        return server;
    }

    /** The extension that gives each scenario its proxies: this kit, or a real Toxiproxy. */
    abstract ChaosExtension extension();
}
