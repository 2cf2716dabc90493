package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.ConversationWorkload;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * IM conversations through the chaos proxy under faults that slow a connection but must not break
 * it: the history checker finds nothing lost, duplicated or out of order. Loss, duplication,
 * reordering and corruption are datagram faults: a proxy that terminates TCP would hide them from
 * TCP, so those scenarios run over UDP only (and TCP meets real loss in the nftables test).
 */
abstract class ImUnderFaultsScenarios {

    private static final ConversationWorkload WORKLOAD = new ConversationWorkload(4, 25, 64, Duration.ofSeconds(30));
    /**
     * Datagram faults as heavy as 30% each way make a run slow and its time widely spread, so the
     * deadline is long; a passing run ends as soon as everything is delivered.
     */
    private static final ConversationWorkload WORKLOAD_UNDER_DATAGRAM_FAULTS =
            new ConversationWorkload(4, 25, 64, Duration.ofSeconds(90));
    /**
     * The handshake's first round trip has no RTT sample, so its INITIAL is repeated after 1, 2, 2, ...
     * seconds: at 30% loss each way (49% of round trips get through) the default 10 s leaves about
     * a 2% chance per client of never connecting. A user on such a path sets a longer connect
     * timeout, and so does this test.
     */
    private static final TransportOptions LOSSY_PATH = TransportOptions.defaults().toBuilder()
            .connectTimeout(Duration.ofSeconds(30)).build();

    @RegisterExtension
    final ChaosExtension chaos = extension();

    private ImServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @OverFaultTransports
    void deliversEveryMessageOnceInOrderUnderLatencyOf100MillisecondsWithJitterOf50(String transportName)
            throws Exception {
        ChaosProxy proxy = proxyInFrontOfServer(transportName);
        for (Direction direction : Direction.values()) {
            proxy.add(Toxic.of(ToxicType.LATENCY, direction).with("latency", 100).with("jitter", 50));
        }

        var result = WORKLOAD.run(Transport.byName(transportName), proxy.listenAddress(), "user");

        assertThat(result.verdict().anomalies()).isEmpty();
        assertThat(result.verdict().delivered()).isEqualTo(result.verdict().deliveries()).isEqualTo(4 * 4 * 25);
        assertThat(result.latenciesNanos()).allSatisfy(nanos -> assertThat(nanos).isGreaterThanOrEqualTo(100_000_000L));
    }

    @OverFaultTransports
    void deliversEveryMessageOnceInOrderThroughA16KilobytePerSecondLink(String transportName) throws Exception {
        ChaosProxy proxy = proxyInFrontOfServer(transportName);
        for (Direction direction : Direction.values()) {
            proxy.add(Toxic.of(ToxicType.BANDWIDTH, direction).with("rate", 16));
        }

        var result = WORKLOAD.run(Transport.byName(transportName), proxy.listenAddress(), "user");

        assertThat(result.verdict().anomalies()).isEmpty();
        assertThat(result.verdict().delivered()).isEqualTo(4 * 4 * 25);
    }

    @OverFaultTransports
    void deliversEveryMessageOnceInOrderAcrossAThreeSecondPartitionThatHeals(String transportName) throws Exception {
        Assume.toxic(chaos, ToxicType.PARTITION);
        ChaosProxy proxy = proxyInFrontOfServer(transportName);

        var result = WORKLOAD.run(Transport.byName(transportName), proxy.listenAddress(), "user", () -> {
            Partitions.cut(proxy);
            CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS).execute(() -> Partitions.heal(proxy));
        });

        assertThat(result.verdict().anomalies()).isEmpty();
        assertThat(result.verdict().delivered()).isEqualTo(4 * 4 * 25);
        assertThat(result.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    @ParameterizedTest(name = "{0} of datagrams lost")
    @ValueSource(doubles = {0.01, 0.10, 0.30})
    void deliversEveryMessageOnceInOrderOverUdpDespiteLoss(double probability) throws Exception {
        assertUnharmedOverUdp(Toxic.of(ToxicType.LOSS, Direction.UPSTREAM).with("probability", probability),
                Toxic.of(ToxicType.LOSS, Direction.DOWNSTREAM).with("probability", probability));
    }

    @Test
    void deliversEveryMessageOnceInOrderOverUdpDespiteBurstsOfLoss() throws Exception {
        assertUnharmedOverUdp(Toxic.of(ToxicType.BURST_LOSS, Direction.DOWNSTREAM)
                .with("p", 0.02).with("r", 0.3).with("loss_good", 0).with("loss_bad", 0.9));
    }

    @Test
    void deliversEveryMessageOnceInOrderOverUdpDespiteDuplicationReorderingAndCorruption() throws Exception {
        assertUnharmedOverUdp(Toxic.of(ToxicType.DUPLICATE, Direction.UPSTREAM).with("probability", 0.1),
                Toxic.of(ToxicType.DUPLICATE, Direction.DOWNSTREAM).with("probability", 0.1),
                Toxic.of(ToxicType.REORDER, Direction.UPSTREAM).with("probability", 0.1).with("delay", 20),
                Toxic.of(ToxicType.REORDER, Direction.DOWNSTREAM).with("probability", 0.1).with("delay", 20),
                Toxic.of(ToxicType.CORRUPT, Direction.DOWNSTREAM).with("probability", 0.02));
    }

    /** Runs the workload over UDP through {@code toxics}; skipped where the UDP transport is not on the class path. */
    private void assertUnharmedOverUdp(Toxic... toxics) throws Exception {
        assumeTrue(Transport.names().contains("udp"), "the reliable UDP transport is not on this build's class path");
        ChaosProxy proxy = proxyInFrontOfServer("udp");
        for (Toxic toxic : toxics) {
            proxy.add(toxic);
        }

        var result = WORKLOAD_UNDER_DATAGRAM_FAULTS.run(Transport.byName("udp", LOSSY_PATH), proxy.listenAddress(), "user");

        assertThat(result.verdict().anomalies()).isEmpty();
        assertThat(result.verdict().delivered()).isEqualTo(4 * 4 * 25);
    }

    private ChaosProxy proxyInFrontOfServer(String transportName) throws IOException {
        Assume.protocol(chaos, transportName);
        server = ImServer.start(Transport.byName(transportName),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.defaults());
        return chaos.proxies().createProxy("im", Protocol.fromWireName(transportName),
                (InetSocketAddress) server.localAddress());
    }

    /** The extension that gives each scenario its proxies: this kit, or a real Toxiproxy. */
    abstract ChaosExtension extension();
}
