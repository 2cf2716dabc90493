package dev.parley.server;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionStats;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The traffic figures of {@link ServerStatistics}: each connection counts its own frames and bytes
 * ({@link Connection#stats()}), so nothing here runs per frame; this keeps the open connections,
 * and the totals of those that closed, and adds the two up when asked.
 *
 * <p>Thread-safe: connections are added and removed on their delivery threads, {@link #totals} is
 * called on any thread. One lock makes a connection that closes count once, either among the open
 * or among the closed, so the totals never go down.
 */
final class Traffic {

    /** The figures of {@link ServerStatistics} that this adds up. */
    record Totals(long framesReceived, long framesSent, long bytesReceived, long bytesSent,
                  long packetsRetransmitted, double meanRttMicros, double maxRttMicros) {
    }

    private static final String RETRANSMITTED = "packetsRetransmitted";
    private static final String SMOOTHED_RTT = "srttMicros";
    /** 0 until the first sample: before it, the smoothed figure is only the initial guess. */
    private static final String MIN_RTT = "minRttMicros";

    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Connection> open = new HashSet<>(); // guarded by lock
    private long framesReceived; // of the closed connections, as the rest; guarded by lock
    private long framesSent;
    private long bytesReceived;
    private long bytesSent;
    private long packetsRetransmitted;

    void opened(Connection connection) {
        lock.lock();
        try {
            open.add(connection);
        } finally {
            lock.unlock();
        }
    }

    /** Moves {@code connection}'s final counts to the closed connections' totals. */
    void closed(Connection connection) {
        ConnectionStats stats = connection.stats();
        lock.lock();
        try {
            if (open.remove(connection)) {
                framesReceived += stats.framesReceived();
                framesSent += stats.framesSent();
                bytesReceived += stats.bytesReceived();
                bytesSent += stats.bytesSent();
                packetsRetransmitted += stats.details().getOrDefault(RETRANSMITTED, 0L);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The totals over every connection so far, and the round-trip times of the open ones that have measured one. */
    Totals totals() {
        lock.lock();
        try {
            long inFrames = framesReceived;
            long outFrames = framesSent;
            long inBytes = bytesReceived;
            long outBytes = bytesSent;
            long retransmitted = packetsRetransmitted;
            double rttSum = 0;
            double rttMax = Double.NaN;
            int measured = 0;
            for (Connection connection : open) {
                ConnectionStats stats = connection.stats();
                inFrames += stats.framesReceived();
                outFrames += stats.framesSent();
                inBytes += stats.bytesReceived();
                outBytes += stats.bytesSent();
                retransmitted += stats.details().getOrDefault(RETRANSMITTED, 0L);
                Long rtt = stats.details().get(SMOOTHED_RTT);
                if (rtt != null && stats.details().getOrDefault(MIN_RTT, 0L) > 0) {
                    rttSum += rtt;
                    rttMax = measured == 0 ? rtt : Math.max(rttMax, rtt);
                    measured++;
                }
            }
            return new Totals(inFrames, outFrames, inBytes, outBytes, retransmitted,
                    measured == 0 ? Double.NaN : rttSum / measured, rttMax);
        } finally {
            lock.unlock();
        }
    }
}
