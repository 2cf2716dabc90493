package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BBR-style controller fed made-up rate samples, {@value #ACKS_PER_ROUND} acknowledgements per
 * round trip: a path of 10 MB/s and 10 ms. (Its behaviour on a network is in
 * {@link CongestionSimulationTest}.)
 */
class BbrTest {

    private static final int MSS = 1200;
    private static final long MS = 1_000_000;
    private static final long RTT = 10 * MS;
    private static final long RATE = 10_000_000;
    private static final long BDP = RATE * RTT / 1_000_000_000L;
    /** Acknowledgements each round trip brings; evenly spaced unless a test bunches them. */
    private static final int ACKS_PER_ROUND = 10;
    /** What one of them acknowledges at {@link #RATE}: the least ACK aggregation there is. */
    private static final long ACKED_PER_ACK = BDP / ACKS_PER_ROUND;

    private final Bbr bbr = new Bbr(MSS, 10 * MSS, 2 * MSS, 1 << 30);
    private final RttEstimator rtt = new RttEstimator(RTT, 0);
    private long delivered;
    private long now;
    private long pn;

    @Test
    void leavesStartupOnceTheBandwidthStopsGrowingThenDrainsIntoProbeBandwidth() {
        for (long rate = RATE / 16; rate < RATE; rate *= 2) {
            round(rate, 0, BDP);
            assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP);
        }
        round(RATE, 0, 3 * BDP);
        for (int i = 1; i < Bbr.FULL_BW_ROUNDS; i++) {
            round(RATE, 0, 3 * BDP);
            assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP);
        }
        round(RATE, 0, 3 * BDP);
        assertThat(bbr.mode()).as("three rounds without growth").isEqualTo(Bbr.Mode.DRAIN);
        assertThat(bbr.pacingRate(rtt)).as("drain paces below the bandwidth").isLessThan(RATE);

        round(RATE, 0, BDP);

        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_BW);
        assertThat(bbr.bandwidth()).isEqualTo(RATE);
        assertThat(bbr.window()).as("two BDPs, one acknowledgement's worth and a few packets")
                .isBetween(2 * BDP, 2 * BDP + ACKED_PER_ACK + 3L * MSS);
    }

    @Test
    void aPathThatAcknowledgesEvenlyGetsNoAllowanceForThePeersAckDelay() {
        rtt.peerMaxAckDelay(5 * MS);

        reachProbeBandwidth();

        assertThat(bbr.extraAcked()).isEqualTo(ACKED_PER_ACK);
        assertThat(bbr.window()).as("a delay's worth of bandwidth would only queue")
                .isBetween(2 * BDP, 2 * BDP + ACKED_PER_ACK + 3L * MSS);
    }

    @Test
    void burstsOfAcknowledgementsWidenTheWindowUpToThePeersAckDelayUntilTheyAreOlderThanItsWindowOfRounds() {
        rtt.peerMaxAckDelay(RTT / 2);
        reachProbeBandwidth();

        roundAcknowledgedInOneBurst();

        assertThat(bbr.extraAcked()).as("a whole round trip's delivery acknowledged at once").isEqualTo(BDP);
        assertThat(bbr.window()).as("covered up to what the peer's ack delay may hold back")
                .isEqualTo(2 * BDP + BDP / 2 + 3L * MSS);

        round(RATE / 4, 0, BDP); // acknowledgements fall behind the bandwidth for a while: the burst is over
        round(RATE / 4, 0, BDP);
        for (int i = 0; i < Bbr.BW_WINDOW_ROUNDS; i++) {
            round(RATE, 0, BDP);
        }

        assertThat(bbr.extraAcked()).isEqualTo(ACKED_PER_ACK);
        assertThat(bbr.window()).isBetween(2 * BDP, 2 * BDP + ACKED_PER_ACK + 3L * MSS);
    }

    @Test
    void randomLossLeavesTheRateAndTheWindowAlone() {
        reachProbeBandwidth();
        long window = bbr.window();

        for (int i = 0; i < 20; i++) {
            round(RATE, BDP / 10, BDP);
        }

        assertThat(bbr.bandwidth()).isEqualTo(RATE);
        assertThat(bbr.window()).isEqualTo(window);
    }

    @Test
    void heavyLossWithinARoundCapsTheFlight() {
        reachProbeBandwidth();
        long window = bbr.window();

        // half of a round trip's data lost, checked at the next acknowledgement: a probe for more
        // bandwidth, which may begin within the round, lifts the cap
        now += RTT / ACKS_PER_ROUND;
        lose(BDP / 2, BDP);
        ack(new DeliveryRateSampler.RateSample(RATE, ACKED_PER_ACK, delivered, RTT, false, delivered + ACKED_PER_ACK), BDP);

        assertThat(bbr.window()).isLessThanOrEqualTo((long) (window * Bbr.LOSS_BETA));
        assertThat(bbr.bandwidth()).as("the model itself stays").isEqualTo(RATE);
    }

    @Test
    void staysInStartupWhileApplicationLimited() {
        for (int i = 0; i < 3 * Bbr.FULL_BW_ROUNDS; i++) {
            ack(new DeliveryRateSampler.RateSample(RATE / 100, MSS, delivered, RTT, true, delivered + MSS), MSS);
        }

        assertThat(bbr.mode()).as("a flat rate while the sender had little to send is no full pipe")
                .isEqualTo(Bbr.Mode.STARTUP);
        assertThat(bbr.bandwidth()).isEqualTo(RATE / 100);
    }

    @Test
    void forgetsABandwidthOlderThanItsWindowOfRounds() {
        reachProbeBandwidth();

        for (int i = 0; i < Bbr.BW_WINDOW_ROUNDS + 1; i++) {
            round(RATE / 2, 0, BDP / 2);
        }

        assertThat(bbr.bandwidth()).isEqualTo(RATE / 2);
    }

    @Test
    void persistentCongestionCollapsesTheWindowAndForgetsTheModel() {
        reachProbeBandwidth();

        bbr.onPacketsLost(List.of(packet()), true, 0, now);

        assertThat(bbr.window()).isEqualTo(Bbr.MIN_PIPE_PACKETS * MSS);
        assertThat(bbr.bandwidth()).isZero();
    }

    private void reachProbeBandwidth() {
        for (int i = 0; i <= Bbr.FULL_BW_ROUNDS + 1; i++) {
            round(RATE, 0, BDP);
        }
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_BW);
    }

    /**
     * One round trip at {@code rate}: {@code lostBytes} declared lost, then what the round trip
     * delivered acknowledged in {@value #ACKS_PER_ROUND} evenly spaced acknowledgements.
     */
    private void round(long rate, long lostBytes, long inFlight) {
        round(rate, lostBytes, inFlight, RTT / ACKS_PER_ROUND);
    }

    /** One round trip at {@link #RATE} whose acknowledgements all come at its end, at once. */
    private void roundAcknowledgedInOneBurst() {
        round(RATE, 0, BDP, 0);
    }

    /** One round trip, its acknowledgements {@code spacing} apart and the last a round trip after the last before. */
    private void round(long rate, long lostBytes, long inFlight, long spacing) {
        now += RTT - (ACKS_PER_ROUND - 1) * spacing;
        if (lostBytes > 0) {
            lose(lostBytes, inFlight);
        }
        long roundStart = delivered;
        long perAck = rate * RTT / 1_000_000_000L / ACKS_PER_ROUND;
        for (int i = 0; i < ACKS_PER_ROUND; i++) {
            now += i == 0 ? 0 : spacing;
            ack(new DeliveryRateSampler.RateSample(rate, perAck, roundStart, RTT, false, delivered + perAck), inFlight);
        }
    }

    /** One packet of {@code bytes}, sent a round trip ago, declared lost now. */
    private void lose(long bytes, long inFlight) {
        bbr.onPacketsLost(List.of(new SentPacket(pn++, now - RTT, (int) bytes, true, List.of(), false)), false,
                inFlight, now);
    }

    private void ack(DeliveryRateSampler.RateSample sample, long inFlight) {
        delivered = sample.delivered();
        bbr.onAck(List.of(packet()), sample, rtt, inFlight, now);
    }

    private SentPacket packet() {
        return new SentPacket(pn++, now - RTT, MSS, true, List.of(), false);
    }
}
