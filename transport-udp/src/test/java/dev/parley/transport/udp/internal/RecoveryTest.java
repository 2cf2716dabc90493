package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RTT estimation, loss detection, probe timeouts and NewReno, each alone, with times made up. */
class RecoveryTest {

    private static final long MS = 1_000_000;
    private static final int MSS = 1200;

    @Test
    void theFirstRttSampleSetsTheEstimateAndLaterOnesSmoothIt() {
        var rtt = new RttEstimator(333 * MS, 25 * MS);
        assertThat(rtt.smoothed()).isEqualTo(333 * MS);

        rtt.onSample(100 * MS, 0);
        assertThat(rtt.smoothed()).isEqualTo(100 * MS);
        assertThat(rtt.variance()).isEqualTo(50 * MS);
        assertThat(rtt.min()).isEqualTo(100 * MS);

        rtt.onSample(180 * MS, 0);
        assertThat(rtt.smoothed()).isEqualTo(110 * MS);
        assertThat(rtt.variance()).isEqualTo((3 * 50 * MS + 80 * MS) / 4);
    }

    @Test
    void subtractsTheAckDelayOnlyWhenTheSampleStaysAboveTheMinimum() {
        var rtt = new RttEstimator(333 * MS, 25 * MS);
        rtt.onSample(100 * MS, 0);

        rtt.onSample(120 * MS, 20 * MS);
        assertThat(rtt.smoothed()).isEqualTo(100 * MS);

        rtt.onSample(105 * MS, 20 * MS);
        assertThat(rtt.smoothed()).isEqualTo((7 * 100 * MS + 105 * MS) / 8);
    }

    @Test
    void capsTheAckDelayAtTheMaximumThePeerPromised() {
        var rtt = new RttEstimator(333 * MS, 25 * MS);
        rtt.onSample(100 * MS, 0);

        rtt.onSample(300 * MS, 200 * MS);

        assertThat(rtt.smoothed()).isEqualTo((7 * 100 * MS + 275 * MS) / 8);
    }

    @Test
    void declaresAPacketLostOnceThreeLaterOnesAreAcknowledged() {
        var loss = detectorThatSent(5);

        var first = loss.onAck(ack(2, 2), 0, 100 * MS);
        assertThat(first.lost()).isEmpty();

        var second = loss.onAck(ack(3, 3), 0, 101 * MS);
        assertThat(second.lost()).extracting(SentPacket::packetNumber).containsExactly(0L);
        assertThat(loss.lossTimerArmed()).isTrue();
    }

    @Test
    void anAckRepeatingOldRangesAcknowledgesWhatItsNewerRangesNameAndNothingTwice() {
        var loss = detectorThatSent(10);
        loss.onAck(ack(0, 3), 0, 100 * MS);

        // 4 and 7 missing; 0-3 reported again, as a receiver repeats its ranges
        var ranges = List.of(new Frame.Range(8, 9), new Frame.Range(5, 6), new Frame.Range(0, 3));
        var result = loss.onAck(new Frame.Ack(ranges, 0, 0), 0, 110 * MS);

        assertThat(result.acked()).extracting(SentPacket::packetNumber).containsExactly(8L, 9L, 5L, 6L);
        assertThat(result.lost()).extracting(SentPacket::packetNumber).containsExactly(4L);
        assertThat(loss.onAck(new Frame.Ack(List.of(new Frame.Range(7, 9)), 0, 0), 0, 111 * MS).acked())
                .extracting(SentPacket::packetNumber).containsExactly(7L);
    }

    @Test
    void declaresAPacketLostNineEighthsOfAnRttAfterALaterOneWasAcknowledged() {
        var rtt = new RttEstimator(100 * MS, 25 * MS);
        var loss = new LossDetector(rtt, 2_000 * MS);
        loss.onPacketSent(packet(0, 0));
        loss.onPacketSent(packet(1, MS));

        var result = loss.onAck(ack(1, 1), 0, 101 * MS);

        assertThat(result.lost()).isEmpty();
        long lossDelay = 100 * MS + 100 * MS / 8;
        assertThat(loss.deadline()).isEqualTo(lossDelay);
        assertThat(loss.detectLost(lossDelay - 1)).isEmpty();
        assertThat(loss.detectLost(lossDelay)).extracting(SentPacket::packetNumber).containsExactly(0L);
    }

    @Test
    void backsOffTheProbeTimeoutExponentiallyUpToTheCap() {
        var rtt = new RttEstimator(100 * MS, 25 * MS);
        rtt.onSample(100 * MS, 0);
        var loss = new LossDetector(rtt, 2_000 * MS);
        loss.onPacketSent(packet(0, 0));
        long pto = 100 * MS + 4 * 50 * MS + 25 * MS;

        assertThat(loss.probeDeadline()).isEqualTo(pto);
        loss.onProbeTimeout();
        assertThat(loss.probeDeadline()).isEqualTo(2 * pto);
        loss.onProbeTimeout();
        assertThat(loss.probeDeadline()).isEqualTo(4 * pto);
        loss.onProbeTimeout();
        loss.onProbeTimeout();
        assertThat(loss.probeDeadline()).isEqualTo(2_000 * MS);
    }

    @Test
    void anAcknowledgementResetsTheProbeBackoff() {
        var rtt = new RttEstimator(100 * MS, 25 * MS);
        var loss = new LossDetector(rtt, 2_000 * MS);
        loss.onPacketSent(packet(0, 0));
        loss.onPacketSent(packet(1, 0));
        loss.onProbeTimeout();
        loss.onProbeTimeout();

        loss.onAck(ack(1, 1), 0, 50 * MS);

        assertThat(loss.ptoCount()).isZero();
    }

    @Test
    void growsTheWindowByEachAckedPacketInSlowStart() {
        var cc = new NewReno(MSS, 10 * MSS, 2 * MSS, 1 << 24);
        var p = packet(0, 0);

        acked(cc, p, 0);

        assertThat(cc.window()).isEqualTo(10 * MSS + MSS);
        assertThat(cc.inSlowStart()).isTrue();
    }

    @Test
    void halvesTheWindowOncePerRecoveryPeriod() {
        var cc = new NewReno(MSS, 10 * MSS, 2 * MSS, 1 << 24);
        var early = List.of(packet(0, 0), packet(1, 0));

        cc.onPacketsLost(List.of(early.get(0)), false, 0, 10 * MS);
        assertThat(cc.window()).isEqualTo(5 * MSS);
        assertThat(cc.ssthresh()).isEqualTo(5 * MSS);

        cc.onPacketsLost(List.of(early.get(1)), false, 0, 11 * MS);
        assertThat(cc.window()).as("a second loss from before recovery began").isEqualTo(5 * MSS);

        var late = packet(2, 12 * MS);
        cc.onPacketsLost(List.of(late), false, 0, 20 * MS);
        assertThat(cc.window()).isEqualTo(5 * MSS / 2);
    }

    @Test
    void growsByAboutOnePacketPerWindowInCongestionAvoidance() {
        var cc = new NewReno(MSS, 10 * MSS, 2 * MSS, 1 << 24);
        var lost = packet(0, 0);
        cc.onPacketsLost(List.of(lost), false, 0, MS);
        long window = cc.window();

        for (int pn = 1; pn <= window / MSS; pn++) {
            acked(cc, packet(pn, 2 * MS), 2 * MS);
        }

        assertThat(cc.window()).isBetween(window + MSS * 9 / 10, window + MSS);
    }

    @Test
    void collapsesToTheMinimumWindowOnPersistentCongestion() {
        var cc = new NewReno(MSS, 10 * MSS, 2 * MSS, 1 << 24);
        var p = packet(0, 0);

        cc.onPacketsLost(List.of(p), true, 0, MS);

        assertThat(cc.window()).isEqualTo(2 * MSS);
    }

    @Test
    void pacesPacketsAtAboutTheWindowPerRtt() {
        var pacer = new Pacer(MSS, 2, 0);
        long window = 100 * MSS;
        long srtt = 100 * MS;
        pacer.onSent(MSS);
        pacer.onSent(MSS);

        long rate = (long) (1.25 * window * 1e9 / srtt);

        long next = pacer.nextSendTime(0, MSS, rate);

        long expected = (long) (MSS / (1.25 * window / srtt));
        assertThat(next).isBetween(expected - 2, expected + 2);
        assertThat(pacer.nextSendTime(next, MSS, rate)).isEqualTo(next);
    }

    @Test
    void tracksReceivedPacketsAsRangesAndForgetsTheOldestBeyondTheLimit() {
        var received = new ReceivedPackets(2);
        for (long pn : new long[]{0, 1, 2, 5, 6, 9}) {
            received.add(pn);
        }

        assertThat(received.toReport()).containsExactly(new Frame.Range(9, 9), new Frame.Range(5, 6));
        assertThat(received.isDuplicate(1)).as("below the window").isTrue();
        assertThat(received.isDuplicate(6)).isTrue();
        assertThat(received.isDuplicate(7)).isFalse();
        received.add(7);
        received.add(8);
        assertThat(received.toReport()).containsExactly(new Frame.Range(5, 9));
    }

    private static void acked(CongestionController cc, SentPacket p, long now) {
        cc.onAck(List.of(p), new DeliveryRateSampler.RateSample(0, p.size(), 0, 0, false, p.size()),
                new RttEstimator(100 * MS, 25 * MS), 0, now);
    }

    /** A detector with an RTT of 100 ms that sent packets 0 to {@code count - 1}, one a millisecond. */
    private static LossDetector detectorThatSent(int count) {
        var loss = new LossDetector(new RttEstimator(100 * MS, 25 * MS), 2_000 * MS);
        for (int pn = 0; pn < count; pn++) {
            loss.onPacketSent(packet(pn, pn * MS));
        }
        return loss;
    }

    private static SentPacket packet(long pn, long sent) {
        return new SentPacket(pn, sent, MSS, true, List.of(), false);
    }

    private static Frame.Ack ack(long smallest, long largest) {
        return new Frame.Ack(List.of(new Frame.Range(smallest, largest)), 0, 0);
    }
}
