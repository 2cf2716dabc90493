package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The delivery-rate sampler with times made up: one packet of 1,000 bytes a millisecond over a 10 ms path. */
class DeliveryRateSamplerTest {

    private static final long MS = 1_000_000;
    private static final int SIZE = 1000;

    private final DeliveryRateSampler sampler = new DeliveryRateSampler();
    private long inFlight;

    @Test
    void measuresTheRateAPacedFlowIsDelivered() {
        var flight = new ArrayDeque<SentPacket>();
        DeliveryRateSampler.RateSample last = null;
        for (long t = 0; t <= 40 * MS; t += MS) {
            if (!flight.isEmpty() && flight.peek().timeSent() + 10 * MS <= t) {
                last = ack(flight.poll(), t, MS);
            }
            flight.add(send(t / MS, t));
        }

        assertThat(last.valid()).isTrue();
        assertThat(last.bytesPerSecond()).isBetween(990_000L, 1_010_000L);
        assertThat(last.rtt()).isEqualTo(10 * MS);
        assertThat(last.appLimited()).isFalse();
        assertThat(last.delivered()).isEqualTo(31 * SIZE);
        assertThat(sampler.delivered()).isEqualTo(31 * SIZE);
    }

    @Test
    void aBurstAcknowledgedInTwoAcksIsMeasuredFromWhenTheBurstLeft() {
        var first = send(0, 0);
        var second = send(1, 0);
        ack(first, 10 * MS, MS);

        var sample = ack(second, 10 * MS, MS);

        assertThat(sample.bytesPerSecond()).as("two packets in 10 ms").isEqualTo(200_000);
    }

    @Test
    void givesNoRateForAnIntervalShorterThanTheMinimumRtt() {
        var p = send(0, 0);

        var sample = ack(p, 10 * MS, 20 * MS);

        assertThat(sample.valid()).isFalse();
        assertThat(sample.newlyDelivered()).isEqualTo(SIZE);
        assertThat(sample.rtt()).isEqualTo(10 * MS);
    }

    @Test
    void marksSamplesApplicationLimitedUntilWhatWasInFlightIsDelivered() {
        var before = send(0, 0);
        sampler.onAppLimited(inFlight);
        var during = send(1, MS);

        assertThat(sampler.isAppLimited()).isTrue();
        assertThat(during.delivery().appLimited()).isTrue();
        assertThat(ack(before, 10 * MS, MS).appLimited()).isFalse();
        assertThat(ack(during, 11 * MS, MS).appLimited()).isTrue();
        assertThat(sampler.isAppLimited()).as("what was in flight is delivered").isFalse();
        assertThat(send(2, 12 * MS).delivery().appLimited()).isFalse();
    }

    private SentPacket send(long pn, long now) {
        var snapshot = sampler.onPacketSent(inFlight, now);
        inFlight += SIZE;
        return new SentPacket(pn, now, SIZE, true, List.of(), false, snapshot);
    }

    private DeliveryRateSampler.RateSample ack(SentPacket p, long now, long minRtt) {
        inFlight -= p.size();
        return sampler.onAck(List.of(p), minRtt, now);
    }
}
