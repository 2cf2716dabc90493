package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * CUBIC against RFC 9438's formulas, with times made up: a window of whole 1,000-byte packets
 * acknowledged once per RTT.
 */
class CubicTest {

    private static final int MSS = 1000;
    private static final long MS = 1_000_000;

    private long pn;

    @Test
    void aLossKeepsSevenTenthsOfTheWindowAndRemembersItAsWMax() {
        var cubic = new Cubic(MSS, 100 * MSS, 2 * MSS, 1 << 30);

        lose(cubic, 0, MS);

        assertThat(cubic.window()).isEqualTo(70 * MSS);
        assertThat(cubic.ssthresh()).isEqualTo(70 * MSS);
        assertThat(cubic.wMax()).isEqualTo(100.0 * MSS);
    }

    @Test
    void fastConvergenceLowersWMaxWhenTheWindowLosesBelowIt() {
        var cubic = new Cubic(MSS, 100 * MSS, 2 * MSS, 1 << 30);
        lose(cubic, 0, MS);

        lose(cubic, 2 * MS, 3 * MS);

        // §4.7: W_max = cwnd × (1 + β) / 2 when cwnd < W_max
        assertThat(cubic.wMax()).isCloseTo(70 * MSS * 1.7 / 2, within(1.0));
        assertThat(cubic.window()).isEqualTo((long) (70 * MSS * 0.7));
    }

    @Test
    void regainsWMaxAfterKSecondsAlongTheCubicCurve() {
        var cubic = new Cubic(MSS, 100 * MSS, 2 * MSS, 1 << 30);
        var rtt = rtt(100 * MS);
        lose(cubic, -2 * MS, -MS);
        // K = cbrt(W_max (1 − β) / C), in packets and seconds
        double k = Math.cbrt(100 * 0.3 / 0.4);
        long t = 0;
        while (t < (long) (k * 1e9) - 100 * MS) {
            t += 100 * MS;
            ackWindow(cubic, rtt, t);
            assertThat(cubic.window()).as("concave: below W_max before K, at %s ms", t / MS).isLessThan(100 * MSS);
        }

        assertThat(cubic.k()).isCloseTo(k, within(1e-9));
        assertThat(cubic.window()).isCloseTo(100 * MSS, within((long) (3 * MSS)));
        for (int i = 0; i < 10; i++) {
            t += 100 * MS;
            ackWindow(cubic, rtt, t);
        }
        assertThat(cubic.window()).as("convex beyond W_max").isGreaterThan(100 * MSS);
    }

    @Test
    void growsLikeRenoWithAlphaCubicWhereTheCurveIsSlowerAtShortRtts() {
        var cubic = new Cubic(MSS, 100 * MSS, 2 * MSS, 1 << 30);
        var rtt = rtt(MS);
        lose(cubic, -2 * MS, -MS);

        for (int round = 1; round <= 40; round++) {
            ackWindow(cubic, rtt, round * MS);
        }

        // §4.3: W_est grows by α = 3(1 − β)/(1 + β) packets per RTT; W_cubic(40 ms) is about 70.9
        double expected = 70 + 40 * Cubic.ALPHA;
        assertThat(cubic.window() / (double) MSS).isCloseTo(expected, within(1.5));
        assertThat(cubic.cubicWindow(0.040) / MSS).isLessThan(72);
    }

    @Test
    void packetsSentWhileApplicationLimitedDoNotGrowTheWindow() {
        var cubic = new Cubic(MSS, 10 * MSS, 2 * MSS, 1 << 30);
        var limited = new SentPacket(pn++, 0, MSS, true, List.of(), false,
                new DeliveryRateSampler.Snapshot(0, 0, 0, true));

        cubic.onAck(List.of(limited), DeliveryRateSampler.RateSample.NONE, rtt(10 * MS), 0, 10 * MS);

        assertThat(cubic.window()).isEqualTo(10 * MSS);
    }

    @Test
    void persistentCongestionCollapsesToTheMinimumWindow() {
        var cubic = new Cubic(MSS, 100 * MSS, 2 * MSS, 1 << 30);

        cubic.onPacketsLost(List.of(packet(0)), true, 0, MS);

        assertThat(cubic.window()).isEqualTo(2 * MSS);
    }

    private void lose(Cubic cubic, long sent, long now) {
        cubic.onPacketsLost(List.of(packet(sent)), false, 0, now);
    }

    /** Acknowledges a whole window of packets sent one RTT before {@code now}, one by one. */
    private void ackWindow(Cubic cubic, RttEstimator rtt, long now) {
        long packets = cubic.window() / MSS;
        for (long i = 0; i < packets; i++) {
            cubic.onAck(List.of(packet(now - rtt.smoothed())), DeliveryRateSampler.RateSample.NONE, rtt, 0, now);
        }
    }

    private SentPacket packet(long sent) {
        return new SentPacket(pn++, sent, MSS, true, List.of(), false);
    }

    private static RttEstimator rtt(long rtt) {
        var estimator = new RttEstimator(rtt, 0);
        estimator.onSample(rtt, 0);
        return estimator;
    }
}
