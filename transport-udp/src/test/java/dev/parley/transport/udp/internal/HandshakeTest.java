package dev.parley.transport.udp.internal;

import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HandshakeTest {

    private static final long LIFETIME = TimeUnit.SECONDS.toNanos(10);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.1", 5000);
    private static final long NOW = TimeUnit.HOURS.toNanos(1);
    /** What the clients of these tests announce in their INITIALs. */
    private static final TransportParameters PARAMETERS = new TransportParameters(64, 5_000, 60_000);

    private final HandshakeCookies cookies = new HandshakeCookies(new byte[32], LIFETIME);

    @Test
    void acceptsItsOwnFreshCookieForTheSameAddressAndConnectionId() {
        byte[] cookie = cookies.mint(CLIENT, 42, NOW);

        assertThat(cookies.verify(CLIENT, 42, cookie, NOW + LIFETIME / 2)).isEqualTo(HandshakeCookies.Verdict.VALID);
    }

    @Test
    void verifiesStatelesslyWithAnotherInstanceSharingTheSecret() {
        byte[] cookie = cookies.mint(CLIENT, 42, NOW);

        var restarted = new HandshakeCookies(new byte[32], LIFETIME);

        assertThat(restarted.verify(CLIENT, 42, cookie, NOW)).isEqualTo(HandshakeCookies.Verdict.VALID);
    }

    @Test
    void aSiblingForAnotherReceiveLoopAcceptsTheCookiesOfARandomSecret() {
        var random = new HandshakeCookies(LIFETIME);
        byte[] cookie = random.mint(CLIENT, 42, NOW);

        assertThat(random.sibling().verify(CLIENT, 42, cookie, NOW)).isEqualTo(HandshakeCookies.Verdict.VALID);
        assertThat(new HandshakeCookies(LIFETIME).verify(CLIENT, 42, cookie, NOW)).isEqualTo(HandshakeCookies.Verdict.FORGED);
    }

    @Test
    void rejectsACookieFromAnotherPortAddressOrConnectionId() {
        byte[] cookie = cookies.mint(CLIENT, 42, NOW);

        assertThat(cookies.verify(new InetSocketAddress("192.0.2.1", 5001), 42, cookie, NOW))
                .isEqualTo(HandshakeCookies.Verdict.FORGED);
        assertThat(cookies.verify(new InetSocketAddress("192.0.2.2", 5000), 42, cookie, NOW))
                .isEqualTo(HandshakeCookies.Verdict.FORGED);
        assertThat(cookies.verify(CLIENT, 43, cookie, NOW)).isEqualTo(HandshakeCookies.Verdict.FORGED);
    }

    @Test
    void rejectsAForgedOrTamperedCookie() {
        byte[] cookie = cookies.mint(CLIENT, 42, NOW);
        cookie[20] ^= 1;

        assertThat(cookies.verify(CLIENT, 42, cookie, NOW)).isEqualTo(HandshakeCookies.Verdict.FORGED);
        assertThat(cookies.verify(CLIENT, 42, new byte[HandshakeCookies.LENGTH], NOW))
                .isEqualTo(HandshakeCookies.Verdict.FORGED);
        assertThat(cookies.verify(CLIENT, 42, new byte[3], NOW)).isEqualTo(HandshakeCookies.Verdict.FORGED);
        assertThat(new HandshakeCookies(new byte[]{1}, LIFETIME).verify(CLIENT, 42, cookies.mint(CLIENT, 42, NOW), NOW))
                .as("another server's secret").isEqualTo(HandshakeCookies.Verdict.FORGED);
    }

    @Test
    void rejectsAnExpiredCookie() {
        byte[] cookie = cookies.mint(CLIENT, 42, NOW);

        assertThat(cookies.verify(CLIENT, 42, cookie, NOW + LIFETIME + TimeUnit.MILLISECONDS.toNanos(2)))
                .isEqualTo(HandshakeCookies.Verdict.EXPIRED);
        assertThat(cookies.verify(CLIENT, 42, cookie, NOW - TimeUnit.SECONDS.toNanos(1)))
                .as("minted in the future").isEqualTo(HandshakeCookies.Verdict.EXPIRED);
    }

    @Test
    void answersAFirstInitialWithARetryNoBiggerThanAThirdOfIt() throws Exception {
        var handshake = new ServerHandshake(cookies);
        byte[] initial = PacketCodec.initial(0, 42, PARAMETERS, new byte[0]);

        var decision = handshake.onInitial((Packet.Initial) PacketCodec.decode(initial, initial.length), CLIENT, NOW);

        assertThat(decision).isInstanceOfSatisfying(ServerHandshake.Decision.Reply.class, reply -> {
            assertThat(reply.packet().length * 3).isLessThanOrEqualTo(initial.length);
            assertThat(initial.length).isEqualTo(UdpOptions.MIN_INITIAL_PACKET_SIZE);
        });
    }

    @Test
    void acceptsOnlyTheInitialThatEchoesAValidCookie() throws Exception {
        var handshake = new ServerHandshake(cookies);
        byte[] first = PacketCodec.initial(0, 42, PARAMETERS, new byte[0]);
        var reply = (ServerHandshake.Decision.Reply) handshake.onInitial(
                (Packet.Initial) PacketCodec.decode(first, first.length), CLIENT, NOW);
        var retry = (Packet.Retry) PacketCodec.decode(reply.packet(), reply.packet().length);
        byte[] second = PacketCodec.initial(1, 42, PARAMETERS, retry.cookie());
        byte[] forged = PacketCodec.initial(1, 42, PARAMETERS, new byte[HandshakeCookies.LENGTH]);

        assertThat(handshake.onInitial((Packet.Initial) PacketCodec.decode(second, second.length), CLIENT, NOW))
                .isInstanceOf(ServerHandshake.Decision.Accept.class);
        assertThat(handshake.onInitial((Packet.Initial) PacketCodec.decode(forged, forged.length), CLIENT, NOW))
                .isInstanceOf(ServerHandshake.Decision.Drop.class);
        assertThat(handshake.forgedCookies()).isEqualTo(1);
    }

    @Test
    void aFloodOfInitialsFromManyPortsOnlyEverGetsRetries() throws Exception {
        var handshake = new ServerHandshake(cookies);
        int accepted = 0;
        for (int port = 1; port <= 5_000; port++) {
            byte[] cookie = port % 2 == 0 ? new byte[0] : new byte[HandshakeCookies.LENGTH];
            byte[] initial = PacketCodec.initial(0, port, PARAMETERS, cookie);
            var decision = handshake.onInitial((Packet.Initial) PacketCodec.decode(initial, initial.length),
                    new InetSocketAddress("198.51.100.7", port), NOW);
            if (decision instanceof ServerHandshake.Decision.Accept) {
                accepted++;
            }
        }

        assertThat(accepted).isZero();
        assertThat(handshake.retriesSent()).isEqualTo(2_500);
        assertThat(handshake.forgedCookies()).isEqualTo(2_500);
    }

    @Test
    void aClientRepeatsItsCookieBearingInitialOnATimeoutMeasuredFromTheRetry() {
        var network = new SimulatedNetwork(1, new SimulatedNetwork.Conditions(0, 0, 0, TimeUnit.MILLISECONDS.toNanos(5), 0));
        var server = new InetSocketAddress("192.0.2.2", 7000);
        var retriesOnly = new RetryingNode(network, server);
        network.attach(server, retriesOnly);
        var client = SessionPeer.client(network, CLIENT, server, UdpOptions.defaults(), TransportOptions.defaults(),
                List.of());

        network.runUntil(() -> client.terminated, TimeUnit.SECONDS.toNanos(11));

        List<Long> withCookie = retriesOnly.cookieInitialsAt;
        assertThat(withCookie.get(1) - withCookie.get(0))
                .as("a 10 ms round trip, not the 333 ms assumed before any sample, sizes the first repeat")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(withCookie).as("tries left for a lossy path within the 10 s connect timeout").hasSizeGreaterThanOrEqualTo(9);
        assertThat(client.cause).hasMessageContaining("no answer to the handshake");
    }

    /** A server that answers every INITIAL without a cookie with a RETRY and ignores those with one. */
    private final class RetryingNode implements SimulatedNetwork.Node {
        private final SimulatedNetwork network;
        private final InetSocketAddress address;
        final List<Long> cookieInitialsAt = new ArrayList<>();

        RetryingNode(SimulatedNetwork network, InetSocketAddress address) {
            this.network = network;
            this.address = address;
        }

        @Override
        public void receive(byte[] datagram, InetSocketAddress from, long now) {
            try {
                var initial = (Packet.Initial) PacketCodec.decode(datagram, datagram.length);
                if (initial.cookie().length > 0) {
                    cookieInitialsAt.add(now);
                } else {
                    byte[] cookie = cookies.mint(from, initial.sourceConnectionId(), now);
                    network.transmit(PacketCodec.retry(initial.sourceConnectionId(), initial.packetNumber(), cookie),
                            address, from);
                }
            } catch (MalformedPacketException e) {
                throw new AssertionError(e);
            }
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
