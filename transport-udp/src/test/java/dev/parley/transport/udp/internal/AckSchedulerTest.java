package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

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
        acks.onAckSent();

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

        acks.onAckSent();

        assertThat(acks.isPending()).isFalse();
        assertThat(acks.isDue(100 * MS)).isFalse();
        assertThat(acks.isDuplicate(0)).isTrue();
    }

    @Test
    void nothingIsDueBeforeAnyPacketArrived() {
        acks.ackImmediately();

        assertThat(acks.isDue(0)).isFalse();
    }
}
