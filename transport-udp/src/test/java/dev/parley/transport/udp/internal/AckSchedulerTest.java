package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** When acknowledgements go, with times made up: a max ack delay of 5 ms. */
class AckSchedulerTest {

    private static final long MS = 1_000_000;

    private final AckScheduler acks = new AckScheduler(32, 5 * MS);

    @Test
    void aLonePacketIsAcknowledgedWithinTheMaxAckDelay() {
        acks.onReceived(0, true, 10 * MS);

        assertThat(acks.isDue(10 * MS)).isFalse();
        assertThat(acks.deadline()).isEqualTo(15 * MS);
        assertThat(acks.isDue(15 * MS)).isTrue();
        assertThat(acks.ackDelayMicros(15 * MS)).isEqualTo(5_000);
    }

    @Test
    void everySecondAckElicitingPacketIsAcknowledgedAtOnce() {
        acks.onReceived(0, true, 0);
        acks.onReceived(1, true, MS);

        assertThat(acks.isDue(MS)).isTrue();
    }

    @Test
    void aPacketOutOfOrderIsAcknowledgedAtOnce() {
        acks.onReceived(0, true, 0);
        acks.onAckSent(acks.ranges().size());

        acks.onReceived(2, true, MS);

        assertThat(acks.isDue(MS)).as("packet 1 is missing: tell the sender soon").isTrue();
        assertThat(acks.ranges()).containsExactly(new Frame.Range(2, 2), new Frame.Range(0, 0));
    }

    @Test
    void packetsThatElicitNoAckScheduleNone() {
        acks.onReceived(0, false, 0);
        acks.onReceived(1, false, 0);

        assertThat(acks.isPending()).isFalse();
        assertThat(acks.deadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(acks.hasReceived()).isTrue();
    }

    @Test
    void sendingAnAcknowledgementClearsWhatWasOwed() {
        acks.onReceived(0, true, 0);
        acks.ackImmediately();

        acks.onAckSent(acks.ranges().size());

        assertThat(acks.isPending()).isFalse();
        assertThat(acks.isDue(100 * MS)).isFalse();
        assertThat(acks.isDuplicate(0)).isTrue();
    }

    @Test
    void anOlderRangeIsReportedByThreeAcknowledgementsThenLeftOut() {
        received(0, 1, 3);
        for (int ack = 1; ack <= ReceivedPackets.REPORTS; ack++) {
            assertThat(sentAck()).as("acknowledgement %d", ack)
                    .containsExactly(new Frame.Range(3, 3), new Frame.Range(0, 1));
        }

        assertThat(sentAck()).as("the sender was told three times").containsExactly(new Frame.Range(3, 3));
        received(5);
        assertThat(sentAck()).as("the newest range is always reported; the one before it three times already")
                .containsExactly(new Frame.Range(5, 5));
    }

    @Test
    void aRangeThatGrowsIsReportedAgain() {
        received(0, 1, 3, 5);
        for (int ack = 1; ack <= ReceivedPackets.REPORTS; ack++) {
            sentAck();
        }
        assertThat(sentAck()).containsExactly(new Frame.Range(5, 5));

        received(2); // a straggler joins 0-1 and 3 into a range the sender has not heard of

        assertThat(sentAck()).containsExactly(new Frame.Range(5, 5), new Frame.Range(0, 3));
    }

    @Test
    void onlyTheRangesAnAcknowledgementCarriedCountAsReported() {
        received(0, 2, 4);
        for (int ack = 1; ack <= ReceivedPackets.REPORTS; ack++) {
            acks.ranges();
            acks.onAckSent(2); // the oldest range did not fit
        }

        assertThat(sentAck()).containsExactly(new Frame.Range(4, 4), new Frame.Range(0, 0));
    }

    @Test
    void nothingIsDueBeforeAnyPacketArrived() {
        acks.ackImmediately();

        assertThat(acks.isDue(0)).isFalse();
    }

    private void received(long... packetNumbers) {
        for (long pn : packetNumbers) {
            acks.onReceived(pn, true, 0);
        }
    }

    /** The ranges of an acknowledgement that carried all of them. */
    private List<Frame.Range> sentAck() {
        List<Frame.Range> ranges = acks.ranges();
        acks.onAckSent(ranges.size());
        return ranges;
    }
}
