package dev.parley.server;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.codec.Codec;
import dev.parley.im.Error;
import dev.parley.im.ImEvent;
import dev.parley.im.ListConversations;
import dev.parley.im.Message;
import dev.parley.im.Register;
import dev.parley.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ImServerMetrics}: what a monitoring system reads of a running server, through Micrometer. */
class ImServerMetricsTest {

    private static final ServerOptions OPTIONS = ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build();

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private ImServer server;
    private String transport;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void countsConnectionsUsersConversationsAndAcceptedMessages() throws Exception {
        Talk talk = aliceAndBobInAConversation();

        talk.alice.client().send(talk.id, "one").get(30, TimeUnit.SECONDS);
        talk.alice.client().send(talk.id, "two").get(30, TimeUnit.SECONDS);
        talk.bob.await(Message.class, message -> message.sequence() == 2);

        assertThat(gauge("parley.connections")).isEqualTo(2);
        assertThat(gauge("parley.users.online")).isEqualTo(2);
        assertThat(gauge("parley.users.held")).isZero();
        assertThat(gauge("parley.conversations")).isEqualTo(1);
        assertThat(counter(meter("parley.messages.accepted"))).isEqualTo(2);
        // At least: two registrations, the invitation, the join, the sync's listing and two sends.
        assertThat(counter(meter("parley.frames").tag("direction", "in"))).isGreaterThanOrEqualTo(7);
        assertThat(counter(meter("parley.frames").tag("direction", "out"))).isGreaterThanOrEqualTo(2 * 2);
        assertThat(counter(meter("parley.payload").tag("direction", "out")))
                .isGreaterThan(counter(meter("parley.frames").tag("direction", "out")));
    }

    @Test
    void countsEachRefusalUnderItsCause() throws Exception {
        start("memory");
        var alice = online("alice");
        BlockingQueue<ImEvent> events = new LinkedBlockingQueue<>();
        Peer stranger = Endpoint.builder(Codec.defaults())
                .on(ImEvent.class, (peer, event) -> events.add(event))
                .build()
                .connect(Transport.byName(transport), server.localAddress());
        opened.add(stranger::close);

        stranger.send(new ListConversations());
        assertThat(events.poll(30, TimeUnit.SECONDS)).isInstanceOf(Error.class);
        stranger.send(new Register("alice", "online"));
        assertThat(events.poll(30, TimeUnit.SECONDS)).isInstanceOf(Error.class);
        alice.client().send(99, "to nowhere");
        alice.await(Error.class);

        assertThat(refusals()).containsExactlyInAnyOrder(
                "not-registered=1", "name-taken=1", "unknown-conversation=1");
    }

    @Test
    void namesTheRefusalCausesAsServerStatisticsDocumentsThem() throws Exception {
        start("memory");

        // Dashboards and alerts name these labels: a rename is a breaking change.
        assertThat(server.statistics().refusals()).containsOnlyKeys("not-registered", "out-of-turn", "invalid",
                "protocol-version", "name-taken", "wrong-credentials", "busy", "rate-limited", "over-limit",
                "not-online", "not-allowed", "unknown-conversation", "not-stored", "unexpected");
    }

    @Test
    void keepsTheTrafficOfConnectionsThatClosed() throws Exception {
        Talk talk = aliceAndBobInAConversation();
        talk.alice.client().send(talk.id, "before bob leaves").get(30, TimeUnit.SECONDS);
        double framesIn = counter(meter("parley.frames").tag("direction", "in"));

        talk.bob.client().goodbye();
        talk.bob.close();
        awaitGauge("parley.connections", 1);

        assertThat(counter(meter("parley.frames").tag("direction", "in"))).isGreaterThan(framesIn);
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tcp", "udp"})
    void measuresRoundTripTimeWhereTheTransportDoes(String name) throws Exception {
        start(name);
        online("alice").sync();

        if (name.equals("udp")) {
            // The server measures a round trip once the client has acknowledged what it sent.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Double.isNaN(gauge("parley.rtt.mean"))) {
                assertThat(System.nanoTime()).as("a round trip measured").isLessThan(deadline);
                Thread.onSpinWait();
            }
            assertThat(gauge("parley.rtt.mean")).isPositive().isLessThan(1.0);
            assertThat(gauge("parley.rtt.max")).isPositive().isLessThan(1.0);
        } else {
            assertThat(gauge("parley.rtt.mean")).isNaN();
            assertThat(counter(meter("parley.packets.retransmitted"))).isZero();
        }
    }

    private record Talk(ScriptedClient alice, ScriptedClient bob, long id) {
    }

    /** A server over the memory transport where Alice and Bob are online and in a conversation. */
    private Talk aliceAndBobInAConversation() throws Exception {
        start("memory");
        var alice = online("alice");
        var bob = online("bob");
        return new Talk(alice, bob, ImServerTest.conversation(alice, bob));
    }

    private void start(String transportName) throws Exception {
        transport = transportName;
        server = ImServer.start(Transport.byName(transportName),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), OPTIONS);
        opened.add(server);
        new ImServerMetrics(server, Duration.ZERO).bindTo(registry);
    }

    private ScriptedClient online(String username) throws Exception {
        var client = ScriptedClient.connect(Transport.byName(transport), server.localAddress(), username);
        opened.add(client);
        client.register("online");
        return client;
    }

    /** Waits until the server has seen what the test did: the figure a gauge reads comes from the server's threads. */
    private void awaitGauge(String name, double value) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gauge(name) != value) {
            assertThat(System.nanoTime()).as("%s reaching %s", name, value).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private RequiredSearch meter(String name) {
        return registry.get(name).tag("transport", transport);
    }

    private double gauge(String name) {
        return meter(name).gauge().value();
    }

    private static double counter(RequiredSearch search) {
        return search.functionCounter().count();
    }

    /** The refusal counters that are not 0, as {@code cause=count}. */
    private List<String> refusals() {
        return Arrays.stream(Refusal.Cause.values())
                .filter(cause -> counter(meter("parley.refusals").tag("cause", cause.label())) > 0)
                .map(cause -> cause.label() + "=" + (long) counter(meter("parley.refusals").tag("cause", cause.label())))
                .toList();
    }
}
