package dev.parley.examples.shutdown;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;

import java.util.function.Consumer;

/**
 * The lesson's "main thread signals all handlers": when the server is told to stop, the thread
 * that runs it broadcasts {@link ShuttingDown} to every connected client, then closes, and closing
 * is graceful, so each client receives the notice before its connection ends.
 */
public final class ShutdownServer {

    private ShutdownServer() {
    }

    /**
     * The endpoint to {@code listen} with. Clients only listen, so it handles no messages;
     * {@code connected} hears of each client as it connects, on that client's delivery thread.
     */
    public static Endpoint endpoint(Consumer<Peer> connected) {
        return Endpoint.builder(ShuttingDown.codec()).onOpen(connected).build();
    }

    /**
     * Tells every client connected to {@code server} that it is going down because of
     * {@code reason}, then closes it. Returns how many clients were told. Call it from the thread
     * that owns the server; it does not wait for the clients.
     */
    public static int shutDown(Server server, String reason) {
        int told = server.broadcast(new ShuttingDown(reason));
        server.close();
        return told;
    }
}
