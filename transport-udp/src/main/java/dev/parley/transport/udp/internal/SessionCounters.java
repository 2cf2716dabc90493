package dev.parley.transport.udp.internal;

import java.util.Map;

/**
 * What one session counts, split out of {@link ReliableSession}: packets sent, received, lost and
 * retransmitted, and the garbage it dropped, for {@code ConnectionStats.details()}. The session
 * adds to the fields directly. Not thread-safe: owned by one session, called under its lock.
 */
final class SessionCounters {

    long packetsSent;
    long packetsReceived;
    long packetsLost;
    /** Packets that carried at least one retransmitted fragment. */
    long packetsRetransmitted;
    long chunksRetransmitted;
    long probeTimeouts;
    long duplicates;
    long checksumFailures;
    long malformed;
    /** Acknowledgements of packet numbers never sent: dropped with their packet. */
    long forgedAcks;
    /** Fragments refused for want of room, left unacknowledged to come again. */
    long refusedChunks;

    /** Adds every count to {@code details}, under the names {@code details()} has always used. */
    void describe(Map<String, Long> details) {
        details.put("packetsSent", packetsSent);
        details.put("packetsReceived", packetsReceived);
        details.put("packetsLost", packetsLost);
        details.put("packetsRetransmitted", packetsRetransmitted);
        details.put("chunksRetransmitted", chunksRetransmitted);
        details.put("probeTimeouts", probeTimeouts);
        details.put("duplicates", duplicates);
        details.put("checksumFailures", checksumFailures);
        details.put("malformedPackets", malformed);
        details.put("forgedAcks", forgedAcks);
        details.put("refusedChunks", refusedChunks);
    }
}
