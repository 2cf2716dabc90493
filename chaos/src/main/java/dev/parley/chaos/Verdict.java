package dev.parley.chaos;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the {@link HistoryChecker} concluded from a history. Immutable.
 *
 * @param anomalies    everything found wrong, in the order found; empty if the history is valid
 * @param acknowledged how many messages were acknowledged
 * @param deliveries   how many (receiver, message) deliveries were expected, and
 * @param delivered    how many of those happened
 */
public record Verdict(List<Anomaly> anomalies, long acknowledged, long deliveries, long delivered) {

    public Verdict {
        anomalies = List.copyOf(anomalies);
    }

    /** True if nothing was lost, duplicated, reordered or unexpected. */
    public boolean isValid() {
        return anomalies.isEmpty();
    }

    /** How many anomalies of each kind, every kind listed. */
    public Map<Anomaly.Kind, Long> counts() {
        var counts = new EnumMap<Anomaly.Kind, Long>(Anomaly.Kind.class);
        for (Anomaly.Kind kind : Anomaly.Kind.values()) {
            counts.put(kind, 0L);
        }
        anomalies.forEach(a -> counts.merge(a.kind(), 1L, Long::sum));
        return counts;
    }

    /** One line: "valid" or the count of each kind, then the first few anomalies. */
    @Override
    public String toString() {
        String summary = delivered + "/" + deliveries + " deliveries of " + acknowledged + " acknowledged messages";
        if (isValid()) {
            return "valid: " + summary;
        }
        String counts = counts().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return "INVALID (" + counts + "): " + summary + "; first: " + anomalies.subList(0, Math.min(5, anomalies.size()));
    }
}
