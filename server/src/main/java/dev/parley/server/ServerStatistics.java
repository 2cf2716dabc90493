package dev.parley.server;

import java.util.Map;
import java.util.Objects;

/**
 * What an {@link ImServer} holds now and has done since it started, for monitoring: taken by
 * {@link ImServer#statistics()}, published through Micrometer by {@link ImServerMetrics}. The
 * totals count every connection, open or closed; on a server of several nodes, each figure is this
 * node's.
 *
 * @param transport            the name of the server's transport ({@code tcp}, {@code udp}, ...)
 * @param connections          client connections open now, registered or not
 * @param onlineUsers          users registered on this node now, those in their resume window included
 * @param heldUsers            users in their resume window now (connection gone, place kept)
 * @param conversations        conversations ongoing now
 * @param messagesAccepted     messages the store accepted (durably) since the server started
 * @param refusals             requests refused since the server started, by cause, every cause present:
 *                             {@code not-registered}, {@code out-of-turn}, {@code invalid},
 *                             {@code protocol-version}, {@code name-taken}, {@code wrong-credentials},
 *                             {@code busy}, {@code rate-limited}, {@code over-limit}, {@code not-online},
 *                             {@code not-allowed}, {@code unknown-conversation}, {@code not-stored},
 *                             {@code unexpected}
 * @param framesReceived       frames received from clients
 * @param framesSent           frames sent to clients
 * @param bytesReceived        payload bytes of {@code framesReceived}
 * @param bytesSent            payload bytes of {@code framesSent}
 * @param packetsRetransmitted packets that carried a retransmission: Parley's UDP transport's; 0 on TCP,
 *                             whose retransmissions are the kernel's
 * @param meanRttMicros        the mean smoothed round-trip time of the open connections that measure it
 *                             (UDP), in microseconds; NaN when none does
 * @param maxRttMicros         the largest of those; NaN when none does
 */
public record ServerStatistics(String transport, int connections, int onlineUsers, int heldUsers, int conversations,
                               long messagesAccepted, Map<String, Long> refusals, long framesReceived,
                               long framesSent, long bytesReceived, long bytesSent, long packetsRetransmitted,
                               double meanRttMicros, double maxRttMicros) {

    public ServerStatistics {
        Objects.requireNonNull(transport, "transport");
        refusals = Map.copyOf(refusals);
    }
}
