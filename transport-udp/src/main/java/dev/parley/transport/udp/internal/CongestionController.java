package dev.parley.transport.udp.internal;

import java.util.List;
import java.util.Map;

/**
 * Decides how much a session may have in flight and how fast it paces it out, from what happens to
 * the packets it sends, as quiche's {@code CongestionControlOps} and quinn's {@code Controller} do.
 * {@link NewReno} and {@link Cubic} read loss as congestion; {@link Bbr} models the path from the
 * delivery rate and the minimum RTT. Only packets that count in flight (ack-eliciting ones) are
 * passed in. Whether the sender was application-limited when it sent a packet (RFC 9002 §7.8) is in
 * the packet's {@link SentPacket#delivery()} snapshot and in the {@link DeliveryRateSampler.RateSample}.
 * Bytes and nanoseconds. Not thread-safe: owned by one session, called under its lock.
 */
public interface CongestionController {

    /** A packet was sent; {@code bytesInFlight} counts it. */
    void onPacketSent(SentPacket packet, long bytesInFlight, long now);

    /**
     * One acknowledgement newly acknowledged {@code acked}; {@code bytesInFlight} no longer counts
     * them; {@code sample} is the delivery rate it measured.
     */
    void onAck(List<SentPacket> acked, DeliveryRateSampler.RateSample sample, RttEstimator rtt, long bytesInFlight,
               long now);

    /**
     * {@code lost} were declared lost; {@code persistentCongestion} when they span so long that the
     * path looks broken (RFC 9002 §7.6); {@code bytesInFlight} no longer counts them.
     */
    void onPacketsLost(List<SentPacket> lost, boolean persistentCongestion, long bytesInFlight, long now);

    /** The congestion window: the most bytes in flight now. */
    long window();

    /** The rate the pacer spreads packets at, bytes per second. */
    long pacingRate(RttEstimator rtt);

    /** Adds this controller's figures to a session's {@code details()}. */
    void describe(Map<String, Long> details);
}
