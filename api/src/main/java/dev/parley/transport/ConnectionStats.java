package dev.parley.transport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of one connection's counters.
 *
 * @param framesSent     frames handed to the network (not counting keepalives)
 * @param framesReceived frames delivered to the handler
 * @param bytesSent      payload bytes of {@code framesSent}
 * @param bytesReceived  payload bytes of {@code framesReceived}
 * @param queuedBytes    bytes waiting in the outbound queue right now
 * @param details        transport-specific figures by name, in a stable order; for example the UDP
 *                       transport's {@code srttMicros}, {@code cwndBytes} or {@code retransmitted}
 */
public record ConnectionStats(long framesSent, long framesReceived, long bytesSent, long bytesReceived,
                              long queuedBytes, Map<String, Long> details) {

    public ConnectionStats {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
