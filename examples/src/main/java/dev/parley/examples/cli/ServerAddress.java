package dev.parley.examples.cli;

import dev.parley.server.cli.Addresses;
import dev.parley.transport.Transport;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The {@code --server HOST:PORT} and {@code --transport} a client command connects to (a picocli mixin). */
public final class ServerAddress {

    @Option(names = {"-s", "--server"}, converter = HostPort.class,
            description = "the server's HOST:PORT (default: localhost and the example's port)")
    private InetSocketAddress server;

    @Option(names = {"-t", "--transport"}, defaultValue = "tcp", description = "tcp or udp (default: ${DEFAULT-VALUE})")
    private String transport;

    /** A server at {@code localhost:}{@value ListenAddress#DEFAULT_PORT} unless {@code --server} says otherwise. */
    public ServerAddress() {
        this(ListenAddress.DEFAULT_PORT);
    }

    /** A server at {@code localhost:defaultPort} unless {@code --server} says otherwise. */
    public ServerAddress(int defaultPort) {
        this.server = new InetSocketAddress("localhost", defaultPort);
    }

    /** Opens a connection the way a client does: {@code transport} to {@code server}. */
    @FunctionalInterface
    public interface Connector<T> {
        T connect(Transport transport, SocketAddress server) throws IOException;
    }

    /** Connects with {@code connector}, or says in one line that the server cannot be reached. */
    public <T> T connect(Connector<T> connector) throws ExampleException {
        try {
            return connector.connect(transport(), server);
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** The transport named by {@code --transport}. */
    public Transport transport() throws ExampleException {
        return Transports.find(transport);
    }

    /** The server's address. */
    public InetSocketAddress address() {
        return server;
    }

    /** The one line that says the server cannot be reached, and why. */
    public ExampleException unreachable(IOException e) {
        return ExampleException.usage("cannot reach the server at " + Addresses.format(server)
                + " over " + transport + ": " + e.getMessage());
    }

    /** The server's address as given, for messages. */
    public String describe() {
        return Addresses.format(server);
    }
}
