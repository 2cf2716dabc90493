package dev.parley.transport.udp.internal;

import dev.parley.transport.udp.CongestionControl;

import java.util.List;
import java.util.Map;

/**
 * What decides whether a session may send a packet now, split out of {@link ReliableSession}: the
 * bytes in flight, the {@link CongestionController} that sizes the window, the
 * {@link DeliveryRateSampler} that feeds it and the {@link Pacer} that follows its pacing rate.
 * The session tells it of every ack-eliciting packet sent, acknowledged, lost or discarded, and
 * when it ran out of data with room left in the window (application-limited). Bytes and
 * nanoseconds. Not thread-safe: owned by one session, called under its lock.
 */
public final class FlightController {

    private final CongestionController controller;
    private final DeliveryRateSampler sampler = new DeliveryRateSampler();
    private final Pacer pacer;
    private final int maxPacket;
    private long bytesInFlight;

    public FlightController(CongestionController controller, int maxPacket, int burstPackets, long now) {
        this.controller = controller;
        this.maxPacket = maxPacket;
        this.pacer = new Pacer(maxPacket, burstPackets, now);
    }

    /** The controller {@code kind} names, for packets of {@code maxPacket} bytes. */
    public static CongestionController controller(CongestionControl kind, int maxPacket, long initialWindow,
                                                  long minWindow, long maxWindow) {
        return switch (kind) {
            case NEWRENO -> new NewReno(maxPacket, initialWindow, minWindow, maxWindow);
            case CUBIC -> new Cubic(maxPacket, initialWindow, minWindow, maxWindow);
            case BBR -> new Bbr(maxPacket, initialWindow, minWindow, maxWindow);
        };
    }

    public long bytesInFlight() {
        return bytesInFlight;
    }

    /** True while the window has room for a full packet. */
    public boolean windowOpen() {
        return bytesInFlight + maxPacket <= controller.window();
    }

    /** When a full packet may leave, by the pacer at the controller's rate: {@code now} or later. */
    public long nextSendTime(long now, RttEstimator rtt) {
        return pacer.nextSendTime(now, maxPacket, controller.pacingRate(rtt));
    }

    /** The sampler's state for an ack-eliciting packet about to be sent; pass it to {@link #onSent}. */
    public DeliveryRateSampler.Snapshot beforeSend(long now) {
        return sampler.onPacketSent(bytesInFlight, now);
    }

    public void onSent(SentPacket packet, long now) {
        bytesInFlight += packet.size();
        pacer.onSent(packet.size());
        controller.onPacketSent(packet, bytesInFlight, now);
    }

    /**
     * The session has nothing more to send now: if the window had room, what is in flight is
     * application-limited and must not grow the window (RFC 9002 §7.8) nor lower the bandwidth model.
     */
    public void onOutOfData() {
        if (bytesInFlight + maxPacket <= controller.window()) {
            sampler.onAppLimited(bytesInFlight);
        }
    }

    public void onAcked(List<SentPacket> acked, RttEstimator rtt, long now) {
        if (acked.isEmpty()) {
            return;
        }
        for (SentPacket p : acked) {
            bytesInFlight -= p.size();
        }
        var sample = sampler.onAck(acked, rtt.min(), now);
        controller.onAck(acked, sample, rtt, bytesInFlight, now);
    }

    public void onLost(List<SentPacket> lost, boolean persistentCongestion, long now) {
        if (lost.isEmpty()) {
            return;
        }
        for (SentPacket p : lost) {
            bytesInFlight -= p.size();
        }
        controller.onPacketsLost(lost, persistentCongestion, bytesInFlight, now);
    }

    /** Packets forgotten without being acknowledged or lost (the session is closing). */
    public void onDiscarded(List<SentPacket> discarded) {
        for (SentPacket p : discarded) {
            bytesInFlight -= p.size();
        }
    }

    /** Adds the window, the flight and the controller's figures to a session's {@code details()}. */
    public void describe(Map<String, Long> details, RttEstimator rtt) {
        controller.describe(details);
        details.put("bytesInFlight", bytesInFlight);
        details.put("pacingRateBytesPerSecond", controller.pacingRate(rtt));
    }
}
