package dev.parley.transport.udp.internal;

import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TransportParametersTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void announcesTheReceiveWindowMaxAckDelayAndIdleTimeoutOfItsOptions() {
        var udp = UdpOptions.defaults().toBuilder().receiveWindowBytes(1 << 20).maxAckDelay(Duration.ofMillis(7)).build();
        var options = TransportOptions.defaults().toBuilder().idleTimeout(Duration.ofSeconds(30)).build();

        assertThat(TransportParameters.of(udp, options)).isEqualTo(new TransportParameters(1 << 20, 7_000, 30_000));
    }

    @Test
    void roundsAnIdleTimeoutUpToWholeMillisecondsSoAShortOneDoesNotReadAsNone() {
        var options = TransportOptions.defaults().toBuilder()
                .idleTimeout(Duration.ofNanos(1_500_000)).keepAliveInterval(Duration.ZERO).build();

        assertThat(TransportParameters.of(UdpOptions.defaults(), options).idleTimeoutMillis()).isEqualTo(2);
    }

    @Test
    void announcesAnIdleTimeoutTooLongForTheHandshakeAsTheLongestItCarries() {
        var options = TransportOptions.defaults().toBuilder().idleTimeout(Duration.ofDays(100)).build();

        assertThat(TransportParameters.of(UdpOptions.defaults(), options).idleTimeoutMillis())
                .isEqualTo(TransportParameters.MAX_IDLE_TIMEOUT_MILLIS);
    }

    @Test
    void keepsAliveOftenEnoughForThePeersIdleTimeoutButNeverLessOftenThanConfigured() {
        assertThat(parametersWithIdleTimeout(3_000).keepAliveFor(15 * SECOND)).isEqualTo(SECOND);
        assertThat(parametersWithIdleTimeout(60_000).keepAliveFor(15 * SECOND)).isEqualTo(15 * SECOND);
    }

    @Test
    void keepsAliveNoMoreOftenThanItsFloorWhateverTinyIdleTimeoutThePeerAnnounces() {
        long floor = TransportParameters.MIN_PEER_DRIVEN_KEEPALIVE_NANOS;

        assertThat(parametersWithIdleTimeout(1).keepAliveFor(15 * SECOND)).isEqualTo(floor);
        assertThat(parametersWithIdleTimeout(1).keepAliveFor(floor / 2)).isEqualTo(floor / 2);
    }

    @Test
    void leavesTheKeepaliveAloneWhereThePeerNeverTimesOutOrThisSideSendsNone() {
        assertThat(parametersWithIdleTimeout(0).keepAliveFor(15 * SECOND)).isEqualTo(15 * SECOND);
        assertThat(parametersWithIdleTimeout(3_000).keepAliveFor(0)).isZero();
    }

    private static TransportParameters parametersWithIdleTimeout(long millis) {
        return new TransportParameters(64 * 1024, 5_000, millis);
    }
}
