package dev.parley.examples;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Connecting a client endpoint so that its {@link Peer} is there even when the server closes the
 * connection at once (the counter server does; any server may be shutting down): then
 * {@link Endpoint#connect} returns null, while the peer handed to {@code onOpen} is always there
 * by the time it returns. Stateless.
 */
public final class Peers {

    private Peers() {
    }

    /**
     * Builds {@code client}, which must not set its own {@code onOpen}, and connects it.
     *
     * @throws IOException if the server cannot be reached
     */
    public static Peer connect(Endpoint.Builder client, Transport transport, SocketAddress server) throws IOException {
        var opened = new CompletableFuture<Peer>();
        client.onOpen(opened::complete).build().connect(transport, server);
        return opened.join();
    }
}
