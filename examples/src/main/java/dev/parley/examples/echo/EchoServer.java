package dev.parley.examples.echo;

import dev.parley.Endpoint;
import dev.parley.examples.Line;

/**
 * The echo server: every line a client sends comes straight back to it. Each client's lines are
 * handled one at a time, in order, on the thread that delivers that client's messages, so clients
 * never wait for each other: the lesson's "a thread per client" without writing a thread.
 */
public final class EchoServer {

    private EchoServer() {
    }

    /** The endpoint to {@code listen} with; stateless, so one may serve any number of clients. */
    public static Endpoint endpoint() {
        return Endpoint.builder(Line.codec())
                .on(Line.class, (client, line) -> client.send(line))
                .build();
    }
}
