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
 * Where the system numbers messages per conversation (received events with a position), it also
 * checks that the numbers make one order per conversation, the same for everyone:
 * <ul>
 *   <li>{@link Anomaly.Kind#DIVERGED}: two receivers saw different messages under one number;</li>
 *   <li>{@link Anomaly.Kind#GAP}: a receiver's numbers in a conversation did not follow one another
 *       (the first may be any: a member may join late);</li>
 *   <li>{@link Anomaly.Kind#STORED_TWICE}: one message under two numbers.</li>
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
        checkConversations(received, anomalies);
        return new Verdict(anomalies, acknowledgedCount, acknowledgedCount * receivers.size(), delivered);
    }

    /** Checks the numbers each receiver saw in each conversation: one order, dense, one number per message. */
    private static void checkConversations(Map<String, List<HistoryEvent>> received, List<Anomaly> anomalies) {
        Map<Long, Map<Long, String>> byPosition = new HashMap<>();
        Map<Long, Map<String, Long>> positionOf = new HashMap<>();
        for (var entry : received.entrySet()) {
            String receiver = entry.getKey();
            Map<Long, Long> last = new HashMap<>();
            for (HistoryEvent event : entry.getValue()) {
                if (event.position() == 0) {
                    continue;
                }
                String key = key(event.sender(), event.seq());
                long conversation = event.conversationId();
                String there = byPosition.computeIfAbsent(conversation, c -> new HashMap<>())
                        .putIfAbsent(event.position(), key);
                Long numbered = positionOf.computeIfAbsent(conversation, c -> new HashMap<>())
                        .putIfAbsent(key, event.position());
                Long previous = last.put(conversation, event.position());
                if (there != null && !there.equals(key)) {
                    anomalies.add(new Anomaly(Anomaly.Kind.DIVERGED, receiver, event.sender(), event.seq()));
                } else if (numbered != null && numbered != event.position()) {
                    anomalies.add(new Anomaly(Anomaly.Kind.STORED_TWICE, receiver, event.sender(), event.seq()));
                } else if (previous != null && event.position() != previous + 1) {
                    anomalies.add(new Anomaly(Anomaly.Kind.GAP, receiver, event.sender(), event.seq()));
                }
            }
        }
    }

    private static String key(String sender, long seq) {
        return sender + "\u0000" + seq;
    }
}
