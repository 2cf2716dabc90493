package dev.parley.chaos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a message history in the manner of Jepsen's queue checker: every message carries its
 * (sender, seq), and every receiver listed must get every acknowledged message exactly once, and
 * each sender's messages in the order of their seq. It reports:
 * <ul>
 *   <li>{@link Anomaly.Kind#LOST}: acknowledged, never received by that receiver;</li>
 *   <li>{@link Anomaly.Kind#DUPLICATED}: received more than once;</li>
 *   <li>{@link Anomaly.Kind#REORDERED}: received after a higher seq of the same sender;</li>
 *   <li>{@link Anomaly.Kind#UNEXPECTED}: received but never sent.</li>
 * </ul>
 * A message sent but not acknowledged may arrive or not (Jepsen's "recovered" or "unknown"):
 * neither is an anomaly. Pure and stateless; see {@link History} to record events from many threads.
 */
public final class HistoryChecker {

    private HistoryChecker() {
    }

    /**
     * Checks {@code events} (in the order they happened at each receiver) against the promise that
     * each of {@code receivers} gets every acknowledged message once, in per-sender order.
     */
    public static Verdict check(List<HistoryEvent> events, Collection<String> receivers) {
        Set<String> sent = new HashSet<>();
        Map<String, Set<Long>> acknowledged = new LinkedHashMap<>();
        Map<String, List<HistoryEvent>> received = new LinkedHashMap<>();
        for (String receiver : receivers) {
            received.put(receiver, new ArrayList<>());
        }
        for (HistoryEvent event : events) {
            switch (event.kind()) {
                case SENT -> sent.add(key(event.sender(), event.seq()));
                case ACKNOWLEDGED -> {
                    sent.add(key(event.sender(), event.seq()));
                    acknowledged.computeIfAbsent(event.sender(), s -> new TreeSet<>()).add(event.seq());
                }
                case RECEIVED -> received.computeIfAbsent(event.receiver(), r -> new ArrayList<>()).add(event);
            }
        }
        var anomalies = new ArrayList<Anomaly>();
        long acknowledgedCount = acknowledged.values().stream().mapToLong(Set::size).sum();
        long delivered = 0;
        for (var entry : received.entrySet()) {
            String receiver = entry.getKey();
            Set<String> seen = new HashSet<>();
            Map<String, Long> highest = new HashMap<>();
            for (HistoryEvent event : entry.getValue()) {
                String key = key(event.sender(), event.seq());
                if (!sent.contains(key)) {
                    anomalies.add(new Anomaly(Anomaly.Kind.UNEXPECTED, receiver, event.sender(), event.seq()));
                } else if (!seen.add(key)) {
                    anomalies.add(new Anomaly(Anomaly.Kind.DUPLICATED, receiver, event.sender(), event.seq()));
                } else if (highest.getOrDefault(event.sender(), Long.MIN_VALUE) > event.seq()) {
                    anomalies.add(new Anomaly(Anomaly.Kind.REORDERED, receiver, event.sender(), event.seq()));
                }
                highest.merge(event.sender(), event.seq(), Math::max);
            }
            if (receivers.contains(receiver)) {
                for (var acked : acknowledged.entrySet()) {
                    for (long seq : acked.getValue()) {
                        if (seen.contains(key(acked.getKey(), seq))) {
                            delivered++;
                        } else {
                            anomalies.add(new Anomaly(Anomaly.Kind.LOST, receiver, acked.getKey(), seq));
                        }
                    }
                }
            }
        }
        return new Verdict(anomalies, acknowledgedCount, acknowledgedCount * receivers.size(), delivered);
    }

    private static String key(String sender, long seq) {
        return sender + "\u0000" + seq;
    }
}
