package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class SimulatedDeliveryTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.1", 40_000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 7_000);
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final UdpOptions udp = UdpOptions.defaults();
    private final TransportOptions options = TransportOptions.defaults();

    @Test
    void deliversEveryFrameOnceAndInOrderUnderOnePercentLoss() {
        for (long seed = 1; seed <= 3; seed++) {
            runBothWays(seed, new SimulatedNetwork.Conditions(0.01, 0.01, 0.05, ms(10), ms(2)));
        }
    }

    @Test
    void deliversEveryFrameOnceAndInOrderUnderTenPercentLoss() {
        for (long seed = 11; seed <= 13; seed++) {
            runBothWays(seed, new SimulatedNetwork.Conditions(0.10, 0.05, 0.10, ms(20), ms(5)));
        }
    }

    @Test
    void deliversEveryFrameOnceAndInOrderUnderThirtyPercentLoss() {
        for (long seed = 31; seed <= 33; seed++) {
            runBothWays(seed, new SimulatedNetwork.Conditions(0.30, 0.10, 0.20, ms(20), ms(10)));
        }
    }

    @Test
    void deliversWithoutLossAtFullSpeedAndClosesGracefully() {
        var network = new SimulatedNetwork(7, new SimulatedNetwork.Conditions(0, 0, 0, ms(5), 0));
        var sent = frames(new Random(7), 50, 1);
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, options, sent);
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, options, List.of());

        boolean done = network.runUntil(() -> client.terminated && server.terminated, MINUTE);

        assertThat(done).as("%s", network).isTrue();
        assertThat(client.cause).as("%s", network).isNull();
        assertThat(server.cause).as("%s", network).isNull();
        assertSameFrames(server.received, sent, network);
        assertThat(client.session.details().get("packetsLost")).as("%s", network).isZero();
    }

    @Test
    void acknowledgementsReportEachOldGapAFewTimesNotForever() {
        var network = new SimulatedNetwork(21, new SimulatedNetwork.Conditions(0.05, 0, 0, ms(5), 0));
        var sent = frames(new Random(21), 2_000, 1);
        var rangesPerAck = new ArrayList<Integer>();
        network.tap((datagram, to) -> {
            if (to.equals(CLIENT)) {
                rangesPerAck.addAll(ackRanges(datagram));
            }
        });
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, options, sent);
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, options, List.of());

        boolean done = network.runUntil(() -> client.terminated && server.terminated, 10 * MINUTE);

        assertThat(done).as("%s", network).isTrue();
        assertSameFrames(server.received, sent, network);
        assertThat(client.session.details().get("packetsLost")).as("far more gaps than an ACK keeps ranges")
                .isGreaterThan(100);
        assertThat(rangesPerAck).as("gaps were reported").anyMatch(ranges -> ranges > 1);
        // Every ACK carried 32 ranges once 32 packets were lost, when each range went in every ACK.
        assertThat(rangesPerAck.stream().mapToInt(Integer::intValue).average().orElseThrow())
                .as("ranges per ACK, over %d ACKs", rangesPerAck.size()).isLessThan(3.0);
    }

    /** The number of ranges of each ACK frame in {@code datagram}, if it is a DATA packet. */
    private static List<Integer> ackRanges(byte[] datagram) {
        try {
            return PacketCodec.decode(datagram, datagram.length) instanceof Packet.Data data
                    ? data.frames().stream().filter(f -> f instanceof Frame.Ack).map(f -> ((Frame.Ack) f).ranges().size())
                    .toList()
                    : List.of();
        } catch (MalformedPacketException e) {
            throw new AssertionError("a session sent a malformed packet", e);
        }
    }

    @Test
    void deliversUnreliableFramesThatSurviveAndNeverRetransmitsThem() {
        var network = new SimulatedNetwork(5, new SimulatedNetwork.Conditions(0.2, 0, 0, ms(5), 0));
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, options, List.of(new byte[]{1}));
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, options, List.of());
        client.finishWhenSent = false;
        server.finishWhenSent = false;
        network.runUntil(() -> client.opened && server.opened, MINUTE);

        for (int i = 0; i < 100; i++) {
            assertThat(client.session.sendUnreliable(new byte[]{(byte) i, 2, 3}, network.now())).isTrue();
            int sentSoFar = i;
            network.runUntil(() -> false, ms(2));
            assertThat(server.datagrams.size()).isLessThanOrEqualTo(sentSoFar + 1);
        }
        client.finishWhenSent = true;
        server.finishWhenSent = true;
        network.runUntil(() -> client.terminated && server.terminated, MINUTE);

        assertThat(server.datagrams.size()).as("%s", network).isBetween(50, 99);
        assertThat(server.received).as("%s", network).hasSize(1);
    }

    @Test
    void declaresTheServerUnresponsiveWhenItVanishes() {
        var network = new SimulatedNetwork(9, new SimulatedNetwork.Conditions(0, 0, 0, ms(5), 0));
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, options, frames(new Random(9), 10_000, 5));
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, options, List.of());
        network.runUntil(() -> server.received.size() > 10, MINUTE);
        network.attach(SERVER, new SilentNode());

        boolean done = network.runUntil(() -> client.terminated, MINUTE);

        assertThat(done).as("%s", network).isTrue();
        assertThat(client.cause.reason()).as("%s", network).isEqualTo(Reason.PEER_UNRESPONSIVE);
        assertThat(client.session.details().get("probeTimeouts")).isEqualTo(udp.maxProbeTimeouts() + 1L);
    }

    @Test
    void ridesOutAThreeSecondOutageOnAFastPath() {
        // 1 ms round trips: the probe timeout is a few milliseconds, so the count of backed-off
        // probes alone would declare the server unresponsive within about a second.
        var network = new SimulatedNetwork(5, new SimulatedNetwork.Conditions(0, 0, 0, TimeUnit.MICROSECONDS.toNanos(500), 0));
        var sent = frames(new Random(5), 2_000, 5);
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, options, sent);
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, options, List.of());
        network.runUntil(() -> server.received.size() > 10, MINUTE);
        network.attach(SERVER, new SilentNode());
        network.runUntil(() -> client.terminated, TimeUnit.SECONDS.toNanos(3));
        network.attach(SERVER, server);

        boolean done = network.runUntil(() -> client.terminated && server.terminated, MINUTE);

        assertThat(done).as("%s", network).isTrue();
        assertThat(client.cause).as("%s", network).isNull();
        assertSameFrames(server.received, sent, network);
    }

    @Test
    void closesAnIdleConnectionWhenKeepalivesAreOff() {
        var quiet = options.toBuilder().keepAliveInterval(Duration.ZERO).idleTimeout(Duration.ofSeconds(3)).build();
        var network = new SimulatedNetwork(3, new SimulatedNetwork.Conditions(0, 0, 0, ms(5), 0));
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, quiet, List.of(new byte[]{1}));
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, quiet, List.of());
        client.finishWhenSent = false;
        server.finishWhenSent = false;

        boolean done = network.runUntil(() -> client.terminated && server.terminated, MINUTE);

        assertThat(done).as("%s", network).isTrue();
        var reasons = List.of(client.cause.reason(), server.cause.reason());
        assertThat(reasons).as("%s", network).contains(Reason.IDLE_TIMEOUT)
                .allMatch(r -> r == Reason.IDLE_TIMEOUT || r == Reason.RESET_BY_PEER);
    }

    @Test
    void keepsAQuietConnectionOpenWithKeepalives() {
        var network = new SimulatedNetwork(4, new SimulatedNetwork.Conditions(0.05, 0, 0, ms(5), 0));
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, options, List.of(new byte[]{1}));
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, options, List.of());
        client.finishWhenSent = false;
        server.finishWhenSent = false;

        network.runUntil(() -> client.terminated || server.terminated, 5 * MINUTE);

        assertThat(client.terminated).as("%s", network).isFalse();
        assertThat(server.terminated).as("%s", network).isFalse();
        assertThat(server.received).hasSize(1);
    }

    private void runBothWays(long seed, SimulatedNetwork.Conditions conditions) {
        var network = new SimulatedNetwork(seed, conditions);
        var random = new Random(seed);
        var up = frames(random, 200, 1);
        var down = frames(random, 200, 2);
        var client = SessionPeer.client(network, CLIENT, SERVER, udp, options, up);
        var server = SessionPeer.server(network, SERVER, CLIENT, udp, options, down);
        long started = System.nanoTime();

        boolean done = network.runUntil(() -> client.terminated && server.terminated, 10 * MINUTE);

        long realMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String replay = network + " realMillis=" + realMillis + " client=" + stats(client) + " server=" + stats(server);
        assertThat(done).as(replay).isTrue();
        assertThat(client.cause).as(replay).isNull();
        assertThat(server.cause).as(replay).isNull();
        assertSameFrames(server.received, up, network);
        assertSameFrames(client.received, down, network);
        assertThat(server.sessionsCreated).as(replay).isEqualTo(1);
    }

    private static String stats(SessionPeer peer) {
        return peer.session == null ? "none" : "terminated=" + peer.terminated + " peerFinished="
                + peer.peerFinished + " received=" + peer.received.size() + " " + peer.session.details();
    }

    /** Mostly small frames, some of a few KiB, and a few over 100 KiB that need ~100 fragments. */
    static List<byte[]> frames(Random random, int count, int direction) {
        var frames = new ArrayList<byte[]>();
        for (int i = 0; i < count; i++) {
            int size = switch (i % 50) {
                case 17 -> 100 * 1024 + random.nextInt(60 * 1024);
                case 3, 29, 41 -> 1_000 + random.nextInt(8_000);
                default -> 1 + random.nextInt(300);
            };
            byte[] frame = new byte[size];
            for (int j = 0; j < size; j++) {
                frame[j] = (byte) (i * 31 + j * 7 + direction);
            }
            frames.add(frame);
        }
        return frames;
    }

    private static void assertSameFrames(List<byte[]> received, List<byte[]> sent, SimulatedNetwork network) {
        assertThat(received).as("%s: frame count", network).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(received.get(i)).as("%s: frame %d", network, i).isEqualTo(sent.get(i));
        }
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** A host that lost its socket: everything sent to it disappears. */
    private static final class SilentNode implements SimulatedNetwork.Node {
        @Override
        public void receive(byte[] datagram, InetSocketAddress from, long now) {
        }

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }

        @Override
        public void onTimer(long now) {
        }
    }
}
