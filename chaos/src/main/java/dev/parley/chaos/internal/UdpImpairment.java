package dev.parley.chaos.internal;

import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the UDP toxics do to the datagrams of one client in one direction, apart from any socket:
 * given a datagram, the time and the toxics, the copies to send and when. Keeps the state that
 * spans datagrams: the Gilbert&ndash;Elliott channel state, the bandwidth queue, and which toxics
 * act on this client (decided once per toxic by its toxicity).
 *
 * <p>Order per datagram: partition, loss, burst_loss, corrupt, duplicate, then latency, reorder and
 * bandwidth decide each copy's time. Not thread-safe: one receiving thread calls it.
 */
public final class UdpImpairment {

    /** A bandwidth toxic drops a datagram that would wait longer than this in its queue. */
    public static final long MAX_QUEUE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One datagram to send at {@code due} (a {@link dev.parley.chaos.Ticker} time). */
    public record Emission(byte[] data, long due) {
    }

    private final SplittableRandom random;
    private final Map<String, Boolean> acting = new HashMap<>();
    private boolean burstBad;
    private long nextFree = Long.MIN_VALUE / 2;

    public UdpImpairment(SplittableRandom random) {
        this.random = random;
    }

    /** The copies of {@code datagram} to send, arriving at {@code now}, under {@code toxics}; empty if dropped. */
    public List<Emission> apply(byte[] datagram, long now, List<Toxic> toxics) {
        List<Toxic> active = toxics.stream().filter(this::acts).toList();
        if (AbstractProxy.any(active, ToxicType.PARTITION)) {
            return List.of();
        }
        byte[] data = datagram;
        int copies = 1;
        double rate = 0;
        for (Toxic toxic : active) {
            switch (toxic.type()) {
                case LOSS -> {
                    if (chance(toxic.attribute("probability"))) {
                        return List.of();
                    }
                }
                case BURST_LOSS -> {
                    if (burstDrops(toxic)) {
                        return List.of();
                    }
                }
                case CORRUPT -> {
                    if (data.length > 0 && chance(toxic.attribute("probability"))) {
                        data = data.clone();
                        int bit = random.nextInt(data.length * 8);
                        data[bit / 8] ^= (byte) (1 << (bit % 8));
                    }
                }
                case DUPLICATE -> copies += chance(toxic.attribute("probability")) ? 1 : 0;
                case BANDWIDTH -> rate = rate == 0 ? toxic.attribute("rate") : Math.min(rate, toxic.attribute("rate"));
                default -> {
                }
            }
        }
        var emissions = new ArrayList<Emission>(copies);
        for (int copy = 0; copy < copies; copy++) {
            long latency = 0;
            for (Toxic toxic : active) {
                if (toxic.type() == ToxicType.LATENCY) {
                    latency += FaultMath.latencyNanos(toxic.attribute("latency"), toxic.attribute("jitter"),
                            random::nextDouble);
                } else if (toxic.type() == ToxicType.REORDER && chance(toxic.attribute("probability"))) {
                    latency += TimeUnit.MILLISECONDS.toNanos(toxic.longAttribute("delay"));
                }
            }
            long due = now + latency;
            if (rate > 0) {
                long start = Math.max(nextFree, now);
                if (start - now > MAX_QUEUE_NANOS) {
                    continue;
                }
                nextFree = start + FaultMath.transmitNanos(data.length, rate);
                due = Math.max(due, nextFree);
            }
            emissions.add(new Emission(data, due));
        }
        return emissions;
    }

    /** One step of the two-state Gilbert&ndash;Elliott channel: drop in the current state, then move. */
    private boolean burstDrops(Toxic toxic) {
        boolean drop = chance(toxic.attribute(burstBad ? "loss_bad" : "loss_good"));
        if (burstBad) {
            burstBad = !chance(toxic.attribute("r"));
        } else {
            burstBad = chance(toxic.attribute("p"));
        }
        return drop;
    }

    private boolean chance(double probability) {
        return probability > 0 && random.nextDouble() < probability;
    }

    private boolean acts(Toxic toxic) {
        return acting.computeIfAbsent(toxic.name() + "/" + toxic.toxicity(), key -> random.nextDouble() < toxic.toxicity());
    }
}
