package dev.parley.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A TCP server on a free loopback port that echoes every byte back, one virtual thread per client. */
final class EchoServer implements AutoCloseable {

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

    EchoServer() throws IOException {
        Thread.ofVirtual().start(this::accept);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> echo(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket client) {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // The client went away; nothing to echo to.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
