package dev.parley.examples.timestamp;

import dev.parley.Endpoint;
import dev.parley.examples.Line;

import java.time.Clock;
import java.time.temporal.ChronoUnit;

/**
 * The time-stamped echo server: answers each line with {@code [timestamp] line}, the time read
 * from a {@link Clock} so a test can fix it. Handlers run as in the echo server: per client, in order.
 */
public final class TimestampServer {

    private TimestampServer() {
    }

    /** The endpoint to {@code listen} with, stamping with {@code clock}'s time to the second. */
    public static Endpoint endpoint(Clock clock) {
        return Endpoint.builder(Line.codec())
                .on(Line.class, (client, line) -> client.send(new Line(stamp(clock, line.text()))))
                .build();
    }

    /** {@code text} as the server answers it: {@code [2026-11-21T08:30:00Z] text}. */
    public static String stamp(Clock clock, String text) {
        return "[" + clock.instant().truncatedTo(ChronoUnit.SECONDS) + "] " + text;
    }
}
