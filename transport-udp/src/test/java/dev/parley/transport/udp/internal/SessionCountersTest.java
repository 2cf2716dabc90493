package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;

import static org.assertj.core.api.Assertions.assertThat;

class SessionCountersTest {

    @Test
    void describesEveryCountUnderTheNamesConnectionStatsReports() {
        var counters = new SessionCounters();
        counters.packetsSent = 10;
        counters.packetsLost = 2;
        counters.malformed = 1;
        var details = new LinkedHashMap<String, Long>();

        counters.describe(details);

        assertThat(details).containsKeys("packetsSent", "packetsReceived", "packetsLost", "packetsRetransmitted",
                "chunksRetransmitted", "probeTimeouts", "duplicates", "checksumFailures", "malformedPackets",
                "forgedAcks", "refusedChunks");
        assertThat(details).containsEntry("packetsSent", 10L).containsEntry("packetsLost", 2L)
                .containsEntry("malformedPackets", 1L).containsEntry("duplicates", 0L);
    }
}
