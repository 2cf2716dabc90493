package dev.parley.transport.udp.internal;

import java.util.List;
import java.util.Map;

/**
 * A model-based congestion controller after BBR (Cardwell et al., "BBR: Congestion-Based
 * Congestion Control", 2016, and draft-cardwell-iccrg-bbr-congestion-control): the path is
 * modelled by its bottleneck bandwidth (the largest delivery rate of the last
 * {@value #BW_WINDOW_ROUNDS} round trips) and its propagation delay (the smallest RTT of the last
 * 10 s); the sender paces at a gain times that bandwidth and keeps about two bandwidth-delay
 * products in flight, plus the ACK aggregation the path shows (below). Startup doubles the rate
 * each round until the bandwidth stops growing, drain empties the queue startup built, probe-bw
 * cycles the gain (1.25, 0.75, then 1 for six phases, each at least a min-RTT and a round trip
 * long) to find more bandwidth and give it back, and probe-rtt drains the flight for 200 ms every
 * 10 s to see the propagation delay again.
 *
 * <p>ACK aggregation is measured, as the BBR draft's {@code extra_acked}: the most data one burst
 * of acknowledgements acknowledged beyond what the bandwidth explains for the time the burst took,
 * over the last {@value #BW_WINDOW_ROUNDS} round trips. A receiver that holds an acknowledgement
 * (its max ack delay) or is scheduled late acknowledges in bursts, and without the allowance the
 * sender would stall until the burst came. The window covers it up to what the bandwidth delivers
 * in the peer's max ack delay: a longer burst is not the receiver's doing but a queue's (another
 * flow's packets between ours), and covering it would queue more and share the link worse. A path
 * whose acknowledgements come evenly adds nothing, so on a path far shorter than the peer's max
 * ack delay (loopback: tens of microseconds against 5 ms) the window stays near two BDPs instead
 * of growing by a delay's worth of bandwidth into a queue.
 *
 * <p>Random loss leaves the model alone: a lost packet delivers nothing, so it lowers no sample.
 * Only heavy loss within a round (more than {@value #HEAVY_LOSS_SHARE} of what it sent, as BBRv2's
 * loss bound), or loss of more than {@value #QUEUED_LOSS_SHARE} while the RTT shows a standing
 * queue, caps the flight at {@value #LOSS_BETA} of what it was, until the next probe for
 * bandwidth; persistent congestion forgets the model. Bytes and nanoseconds. Not thread-safe: owned
 * by one session.
 */
public final class Bbr implements CongestionController {

    enum Mode { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    /** 2 / ln 2: the smallest gain that doubles the delivery rate each round in startup. */
    static final double HIGH_GAIN = 2.885;
    static final double CWND_GAIN = 2;
    static final double[] PROBE_BW_GAINS = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    static final int BW_WINDOW_ROUNDS = 10;
    static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;
    static final long PROBE_RTT_NANOS = 200_000_000L;
    /** Startup ends once three rounds in a row failed to raise the bandwidth by a quarter. */
    static final double FULL_BW_GROWTH = 1.25;
    static final int FULL_BW_ROUNDS = 3;
    static final double HEAVY_LOSS_SHARE = 0.2;
    /** BBRv2's loss threshold, applied while the RTT shows a standing queue: loss there is congestion. */
    static final double QUEUED_LOSS_SHARE = 0.02;
    /** A queue stands when the smoothed RTT exceeds the minimum by half of it and at least this. */
    static final long MIN_QUEUE_DELAY_NANOS = 5_000_000;
    static final double LOSS_BETA = 0.7;
    /** Packets in flight BBR never goes below, and holds during probe-rtt. */
    static final int MIN_PIPE_PACKETS = 4;

    private final int maxDatagramSize;
    private final long initialWindow;
    private final long minWindow;
    private final long maxWindow;

    private final RoundMax bandwidth = new RoundMax(BW_WINDOW_ROUNDS);
    private final RoundMax extraAcked = new RoundMax(BW_WINDOW_ROUNDS);
    /** When the current burst of acknowledgements began, and what it acknowledged so far. */
    private long aggregationStart;
    private long aggregationDelivered;
    private long round;
    private long nextRoundDelivered;
    private long minRtt = Long.MAX_VALUE;
    private long minRttStamp;

    private Mode mode = Mode.STARTUP;
    private double pacingGain = HIGH_GAIN;
    private double cwndGain = HIGH_GAIN;
    private long fullBandwidth;
    private int roundsWithoutGrowth;
    private boolean pipeFilled;
    private int cycleIndex;
    private long cycleStart;
    private long cycleRound;
    private long probeRttDone = Long.MAX_VALUE;
    private long probeRttRound;
    private long windowBeforeProbeRtt;

    private long window;
    private long inflightCap = Long.MAX_VALUE;
    private long roundLostBytes;
    private long roundDeliveredBytes;

    public Bbr(int maxDatagramSize, long initialWindow, long minWindow, long maxWindow) {
        this.maxDatagramSize = maxDatagramSize;
        this.initialWindow = initialWindow;
        this.minWindow = Math.max(minWindow, (long) MIN_PIPE_PACKETS * maxDatagramSize);
        this.maxWindow = maxWindow;
        this.window = initialWindow;
    }

    Mode mode() {
        return mode;
    }

    /** The bottleneck bandwidth estimate, bytes per second; 0 before the first sample. */
    long bandwidth() {
        return bandwidth.max(round);
    }

    /** The ACK aggregation allowance: the most a burst of acknowledgements delivered beyond the bandwidth, bytes. */
    long extraAcked() {
        return extraAcked.max(round);
    }

    @Override
    public long window() {
        return window;
    }

    @Override
    public void onPacketSent(SentPacket packet, long bytesInFlight, long now) {
    }

    @Override
    public void onAck(List<SentPacket> acked, DeliveryRateSampler.RateSample sample, RttEstimator rtt,
                      long bytesInFlight, long now) {
        if (acked.isEmpty()) {
            return;
        }
        roundDeliveredBytes += sample.newlyDelivered();
        boolean roundStart = sample.priorDelivered() >= nextRoundDelivered;
        if (roundStart) {
            nextRoundDelivered = sample.delivered();
            round++;
            boundFlightAfterLoss(bytesInFlight + sample.newlyDelivered(), rtt);
        }
        updateBandwidth(sample);
        updateMinRtt(sample, now);
        if (roundStart && mode == Mode.STARTUP && !sample.appLimited()) {
            checkPipeFilled();
        }
        updateAckAggregation(sample.newlyDelivered(), now);
        updateMode(bytesInFlight, now);
        updateWindow(sample.newlyDelivered(), sample.delivered(), rtt.maxAckDelay());
    }

    private void updateBandwidth(DeliveryRateSampler.RateSample sample) {
        if (!sample.valid() || (sample.appLimited() && sample.bytesPerSecond() < bandwidth())) {
            return;
        }
        bandwidth.update(sample.bytesPerSecond(), round);
    }

    /**
     * The BBR draft's {@code BBRUpdateACKAggregation}: a burst lasts while acknowledgements deliver
     * more than the bandwidth explains since it began; what it delivered beyond that, capped at the
     * window, is a sample of the aggregation.
     */
    private void updateAckAggregation(long newlyDelivered, long now) {
        long expected = (long) (bandwidth() * ((now - aggregationStart) / 1e9));
        if (aggregationDelivered <= expected) {
            aggregationStart = now;
            aggregationDelivered = 0;
            expected = 0;
        }
        aggregationDelivered += newlyDelivered;
        extraAcked.update(Math.min(aggregationDelivered - expected, window), round);
    }

    private void updateMinRtt(DeliveryRateSampler.RateSample sample, long now) {
        boolean expired = minRtt != Long.MAX_VALUE && now - minRttStamp > MIN_RTT_WINDOW_NANOS;
        if (sample.rtt() > 0 && (sample.rtt() <= minRtt || expired)) {
            minRtt = sample.rtt();
            minRttStamp = now;
        }
        if (expired && mode != Mode.PROBE_RTT) {
            mode = Mode.PROBE_RTT;
            pacingGain = 1;
            cwndGain = 1;
            windowBeforeProbeRtt = window;
            probeRttDone = Long.MAX_VALUE;
        }
    }

    /**
     * BBRv2's loss bound: a round that lost more than {@value #HEAVY_LOSS_SHARE} of its data caps
     * the flight; so does one that lost more than {@value #QUEUED_LOSS_SHARE} while the RTT shows a
     * standing queue, where loss is a full buffer (a loss-based flow sharing the bottleneck) rather
     * than a lossy link, which adds no delay.
     */
    private void boundFlightAfterLoss(long inflight, RttEstimator rtt) {
        long total = roundLostBytes + roundDeliveredBytes;
        boolean queued = minRtt != Long.MAX_VALUE
                && rtt.smoothed() - minRtt > Math.max(minRtt / 2, MIN_QUEUE_DELAY_NANOS);
        double threshold = queued ? QUEUED_LOSS_SHARE : HEAVY_LOSS_SHARE;
        if (roundLostBytes > threshold * total && roundLostBytes >= 2L * maxDatagramSize) {
            inflightCap = Math.max(minWindow, (long) (Math.min(inflight, Math.min(window, inflightCap)) * LOSS_BETA));
        }
        roundLostBytes = 0;
        roundDeliveredBytes = 0;
    }

    private void checkPipeFilled() {
        long bw = bandwidth();
        if (bw >= fullBandwidth * FULL_BW_GROWTH) {
            fullBandwidth = bw;
            roundsWithoutGrowth = 0;
        } else if (++roundsWithoutGrowth >= FULL_BW_ROUNDS) {
            pipeFilled = true;
        }
    }

    private void updateMode(long bytesInFlight, long now) {
        switch (mode) {
            case STARTUP -> {
                if (pipeFilled) {
                    mode = Mode.DRAIN;
                    pacingGain = 1 / HIGH_GAIN;
                    cwndGain = HIGH_GAIN;
                }
            }
            case DRAIN -> {
                if (bytesInFlight <= bdp(1)) {
                    enterProbeBandwidth(now);
                }
            }
            case PROBE_BW -> {
                // A phase lasts a round trip at least: on a path whose minimum RTT is shorter than
                // a packet takes to send at the pacing rate (loopback: tens of microseconds), a
                // phase of min-RTT alone would end before its gain changed what was delivered, and
                // the probe for more bandwidth would probe nothing.
                boolean phaseOver = now - cycleStart > minRtt && round > cycleRound;
                if (PROBE_BW_GAINS[cycleIndex] < 1 && bytesInFlight <= bdp(1)) {
                    phaseOver = true;
                }
                if (phaseOver) {
                    startCyclePhase((cycleIndex + 1) % PROBE_BW_GAINS.length, now);
                }
            }
            case PROBE_RTT -> {
                if (probeRttDone == Long.MAX_VALUE && bytesInFlight <= minWindow) {
                    probeRttDone = now + PROBE_RTT_NANOS;
                    probeRttRound = round;
                } else if (probeRttDone != Long.MAX_VALUE && now >= probeRttDone && round > probeRttRound) {
                    minRttStamp = now;
                    window = Math.max(window, windowBeforeProbeRtt);
                    if (pipeFilled) {
                        enterProbeBandwidth(now);
                    } else {
                        mode = Mode.STARTUP;
                        pacingGain = HIGH_GAIN;
                        cwndGain = HIGH_GAIN;
                    }
                }
            }
        }
    }

    private void enterProbeBandwidth(long now) {
        mode = Mode.PROBE_BW;
        cwndGain = CWND_GAIN;
        // start anywhere but the draining phase, so flows that entered together do not probe together
        startCyclePhase((int) (Math.floorMod(now, PROBE_BW_GAINS.length - 1) + 2) % PROBE_BW_GAINS.length, now);
    }

    private void startCyclePhase(int index, long now) {
        cycleIndex = index;
        cycleStart = now;
        cycleRound = round;
        pacingGain = PROBE_BW_GAINS[index];
        if (index == 0) {
            // probing for more bandwidth: forget the cap the last heavy loss set
            inflightCap = Long.MAX_VALUE;
        }
    }

    private long bdp(double gain) {
        long bw = bandwidth();
        if (bw == 0 || minRtt == Long.MAX_VALUE) {
            return initialWindow;
        }
        return (long) (gain * bw * minRtt / 1e9);
    }

    /**
     * The window aims at {@code cwndGain} BDPs, plus the ACK aggregation measured (a burst of
     * acknowledgements the sender would otherwise wait for with its window full) up to what the
     * bandwidth delivers in the peer's max ack delay, plus a few packets.
     */
    private void updateWindow(long newlyDelivered, long totalDelivered, long peerMaxAckDelay) {
        long aggregation = Math.min(extraAcked(), (long) (bandwidth() * (peerMaxAckDelay / 1e9)));
        long target = bdp(cwndGain) + aggregation + 3L * maxDatagramSize;
        if (pipeFilled) {
            window = Math.min(window + newlyDelivered, target);
        } else if (window < target || totalDelivered < initialWindow) {
            window += newlyDelivered;
        }
        window = Math.clamp(window, minWindow, Math.max(minWindow, Math.min(maxWindow, inflightCap)));
        if (mode == Mode.PROBE_RTT) {
            window = Math.min(window, minWindow);
        }
    }

    @Override
    public void onPacketsLost(List<SentPacket> lost, boolean persistentCongestion, long bytesInFlight, long now) {
        for (SentPacket p : lost) {
            roundLostBytes += p.size();
        }
        if (persistentCongestion) {
            // the path was gone for several probe timeouts: what the model knew may no longer hold
            bandwidth.reset();
            extraAcked.reset();
            window = minWindow;
        }
    }

    @Override
    public long pacingRate(RttEstimator rtt) {
        long bw = bandwidth();
        if (bw == 0) {
            return (long) (HIGH_GAIN * initialWindow * 1e9 / Math.max(rtt.smoothed(), 1));
        }
        return (long) (pacingGain * bw);
    }

    @Override
    public void describe(Map<String, Long> details) {
        details.put("cwndBytes", window);
        details.put("bbrBandwidthBytesPerSecond", bandwidth());
        details.put("bbrExtraAckedBytes", extraAcked());
        details.put("bbrMinRttMicros", minRtt == Long.MAX_VALUE ? -1 : minRtt / 1000);
        details.put("bbrMode", (long) mode.ordinal());
    }
}
