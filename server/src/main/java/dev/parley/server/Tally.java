package dev.parley.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the server counts as it goes, for {@link ServerStatistics}: messages accepted and requests
 * refused, by cause. Thread-safe without a lock (a {@link LongAdder} each, so that counting on many
 * cores contends on nothing): counted on the delivery, fan-out, password and timer threads, read on
 * any.
 */
final class Tally {

    private final LongAdder accepted = new LongAdder();
    private final LongAdder[] refused = new LongAdder[Refusal.Cause.values().length];

    Tally() {
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    /** A message the store took (not a resend it already had). */
    void accepted() {
        accepted.increment();
    }

    void refused(Refusal.Cause cause) {
        refused[cause.ordinal()].increment();
    }

    long messagesAccepted() {
        return accepted.sum();
    }

    /** Refusals so far by {@link Refusal.Cause#label()}, every cause present, in the causes' order. */
    Map<String, Long> refusals() {
        Map<String, Long> byCause = new LinkedHashMap<>();
        for (Refusal.Cause cause : Refusal.Cause.values()) {
            byCause.put(cause.label(), refused[cause.ordinal()].sum());
        }
        return byCause;
    }
}
