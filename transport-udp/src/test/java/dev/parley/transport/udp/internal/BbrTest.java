package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BBR-style controller fed made-up rate samples, one acknowledgement per round trip: a path of
 * 10 MB/s and 10 ms. (Its behaviour on a network is in {@link CongestionSimulationTest}.)
 */
class BbrTest {

    private static final int MSS = 1200;
    private static final long MS = 1_000_000;
    private static final long RTT = 10 * MS;
    private static final long RATE = 10_000_000;
    private static final long BDP = RATE * RTT / 1_000_000_000L;

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
        assertThat(bbr.window()).as("two BDPs and a few packets")
                .isBetween(2 * BDP, 2 * BDP + 3L * MSS);
    }

    @Test
    void theWindowAlsoCoversWhatArrivesWhileThePeerHoldsAnAcknowledgement() {
        rtt.peerMaxAckDelay(5 * MS);

        reachProbeBandwidth();

        long heldAck = RATE * 5 * MS / 1_000_000_000L;
        assertThat(bbr.window()).isBetween(2 * BDP + heldAck, 2 * BDP + heldAck + 3L * MSS);
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

        round(RATE, BDP / 2, BDP);
        round(RATE, 0, BDP);

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

    /** One round trip: {@code lostBytes} declared lost, then one acknowledgement of a BDP at {@code rate}. */
    private void round(long rate, long lostBytes, long inFlight) {
        now += RTT;
        if (lostBytes > 0) {
            bbr.onPacketsLost(List.of(new SentPacket(pn++, now - RTT, (int) lostBytes, true, List.of(), false)),
                    false, inFlight, now);
        }
        ack(new DeliveryRateSampler.RateSample(rate, BDP, delivered, RTT, false, delivered + BDP), inFlight);
    }

    private void ack(DeliveryRateSampler.RateSample sample, long inFlight) {
        delivered = sample.delivered();
        bbr.onAck(List.of(packet()), sample, rtt, inFlight, now);
    }

    private SentPacket packet() {
        return new SentPacket(pn++, now - RTT, MSS, true, List.of(), false);
    }
}
