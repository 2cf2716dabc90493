package dev.parley.transport.udp.internal;

import java.util.List;

/**
 * What a session acknowledges and when, split out of {@link ReliableSession} as quinn's
 * {@code PendingAcks}: the packet numbers received (as ranges), and the decision to acknowledge at
 * once (every second ack-eliciting packet, a packet out of order, a duplicate, or when the session
 * asks) or within the max ack delay (a lone packet), as RFC 9000 §13.2 recommends. Nanoseconds.
 * Not thread-safe: owned by one session, called under its lock.
 */
public final class AckScheduler {

    /** Ack-eliciting packets received before an acknowledgement goes at once (RFC 9000 §13.2.2). */
    static final int PACKETS_PER_ACK = 2;

    private final ReceivedPackets received;
    private final long maxAckDelay;
    private int unacknowledged;
    private long deadline = Long.MAX_VALUE;
    private boolean immediate;
    private long largestReceivedTime;

    /**
     * @param maxRanges   the most ranges an acknowledgement remembers
     * @param maxAckDelay how long a lone packet may wait for its acknowledgement
     */
    public AckScheduler(int maxRanges, long maxAckDelay) {
        this.received = new ReceivedPackets(maxRanges);
        this.maxAckDelay = maxAckDelay;
    }

    /** True if {@code pn} was received already (or is too old to tell). */
    public boolean isDuplicate(long pn) {
        return received.isDuplicate(pn);
    }

    /** A new packet was received and accepted; it is acknowledged now or within the max ack delay. */
    public void onReceived(long pn, boolean ackEliciting, long now) {
        boolean inOrder = pn == received.largest() + 1;
        received.add(pn);
        if (pn == received.largest()) {
            largestReceivedTime = now;
        }
        if (ackEliciting) {
            unacknowledged++;
            if (unacknowledged >= PACKETS_PER_ACK || !inOrder) {
                immediate = true;
            } else if (deadline == Long.MAX_VALUE) {
                deadline = now + maxAckDelay;
            }
        }
    }

    /** Remembers a packet without scheduling anything (a closed session that only answers). */
    public void record(long pn) {
        if (!received.isDuplicate(pn)) {
            received.add(pn);
        }
    }

    /** The next acknowledgement goes at once (a duplicate, the peer's FIN, a reopened window). */
    public void ackImmediately() {
        immediate = true;
    }

    /** True if an acknowledgement is due at {@code now}. */
    public boolean isDue(long now) {
        return (immediate || deadline <= now) && !received.isEmpty();
    }

    /** True if an acknowledgement is owed, now or later. */
    public boolean isPending() {
        return immediate || deadline != Long.MAX_VALUE;
    }

    /** When the delayed acknowledgement is due, or {@link Long#MAX_VALUE} for none. */
    public long deadline() {
        return deadline;
    }

    public boolean hasReceived() {
        return !received.isEmpty();
    }

    /**
     * The ranges the next acknowledgement reports, newest first (see {@link ReceivedPackets#toReport});
     * then {@link #onAckSent} with how many of them it carried.
     */
    public List<Frame.Range> ranges() {
        return received.toReport();
    }

    /** How long the newest packet has waited for its acknowledgement, microseconds. */
    public long ackDelayMicros(long now) {
        return Math.max(0, now - largestReceivedTime) / 1000;
    }

    /**
     * An acknowledgement carrying the first {@code rangesSent} of the last {@link #ranges()} went
     * out: nothing is owed.
     */
    public void onAckSent(int rangesSent) {
        received.reported(rangesSent);
        unacknowledged = 0;
        immediate = false;
        deadline = Long.MAX_VALUE;
    }

    /** The session closed: no delayed acknowledgement is waited for. */
    public void cancelDelayed() {
        deadline = Long.MAX_VALUE;
    }
}
