package dev.parley.examples;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The client side of the line examples, synchronous like the lesson's: send a line, wait for the
 * server's line, print it. Lines arrive on the connection's delivery thread and are queued for
 * the one thread that calls {@link #ask} or {@link #next}.
 */
public final class LineClient implements AutoCloseable {

    /** How long to wait for the server's answer. */
    public static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    /** Lines from the server, then the close cause once the connection ends. */
    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final Peer peer;

    private LineClient(Transport transport, SocketAddress server) throws IOException {
        this.peer = Endpoint.builder(Line.codec())
                .on(Line.class, (peer, line) -> arrivals.add(line))
                .onClose((peer, cause) -> arrivals.add(cause))
                .build()
                .connect(transport, server);
    }

    /**
     * Connects to a line server.
     *
     * @throws IOException if it cannot be reached
     */
    public static LineClient connect(Transport transport, SocketAddress server) throws IOException {
        return new LineClient(transport, server);
    }

    /** Sends {@code text} and returns the server's answer. */
    public String ask(String text) throws IOException, InterruptedException {
        peer.send(new Line(text));
        return next();
    }

    /**
     * Waits for the next line from the server.
     *
     * @throws ConnectionClosedException if the connection closed first
     * @throws IOException if none came within {@link #REPLY_TIMEOUT}
     */
    public String next() throws IOException, InterruptedException {
        Object arrival = arrivals.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return switch (arrival) {
            case Line line -> line.text();
            case ConnectionClosedException closed -> {
                arrivals.add(closed);
                throw closed;
            }
            case null -> throw new IOException("no answer from the server within " + REPLY_TIMEOUT.toSeconds() + " s");
            default -> throw new IllegalStateException("unexpected " + arrival);
        };
    }

    /**
     * The lesson's client loop: each line read from {@code in} goes to the server and its answer
     * is printed to {@code out}, until the input ends or a line {@code ends} the conversation.
     */
    public void converse(BufferedReader in, PrintWriter out, Predicate<String> ends) throws IOException, InterruptedException {
        for (String line = in.readLine(); line != null && !ends.test(line); line = in.readLine()) {
            out.println(ask(line));
            out.flush();
        }
    }

    /** Closes the connection gracefully. */
    @Override
    public void close() {
        peer.close();
    }
}
