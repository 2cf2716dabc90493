package dev.parley.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback TCP port where nothing listens, held for as long as a test needs it: a socket is
 * bound to it but never listens, so a connection there is refused and no other process can take
 * the port meanwhile (a port found free and then released could be taken by anyone).
 */
public final class RefusingPort implements AutoCloseable {

    private final Socket bound = new Socket();

    public RefusingPort() throws IOException {
        bound.bind(new InetSocketAddress("127.0.0.1", 0));
    }

    public int port() {
        return bound.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        bound.close();
    }
}
