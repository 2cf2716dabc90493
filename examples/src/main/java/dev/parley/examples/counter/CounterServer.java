package dev.parley.examples.counter;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.examples.Line;

import java.io.IOException;

/**
 * The connection counter: each client that connects is told "processed connection number N" and
 * the connection is closed. Connections open concurrently, each on its own delivery thread, so
 * every one of those threads increments the one shared {@link Counter}: with a
 * {@link RacyCounter}, two clients can be told the same number.
 */
public final class CounterServer {

    private CounterServer() {
    }

    /** The endpoint to {@code listen} with, counting connections with {@code counter}. */
    public static Endpoint endpoint(Counter counter) {
        return Endpoint.builder(Line.codec())
                .onOpen(client -> greet(client, counter.increment()))
                .build();
    }

    private static void greet(Peer client, int number) {
        try {
            client.send(new Line("processed connection number " + number));
            client.close(); // Gracefully: the line is delivered first.
        } catch (IOException e) {
            client.connection().abort(e); // The client left before hearing its number; the count stands.
        }
    }
}
