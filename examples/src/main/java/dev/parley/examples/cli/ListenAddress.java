package dev.parley.examples.cli;

import dev.parley.Endpoint;
import dev.parley.Server;
import dev.parley.transport.Transport;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/** The {@code --transport}, {@code --host} and {@code --port} a server command listens on (a picocli mixin). */
public final class ListenAddress {

    /** The port the example servers listen on unless told otherwise. */
    public static final int DEFAULT_PORT = 7000;

    @Option(names = {"-t", "--transport"}, defaultValue = "tcp", description = "tcp or udp (default: ${DEFAULT-VALUE})")
    private String transport;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
    private String host;

    @Option(names = {"-p", "--port"}, defaultValue = "" + DEFAULT_PORT,
            description = "port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE})")
    private int port;

    /** The name given with {@code --transport}. */
    public String transportName() {
        return transport;
    }

    /** Starts {@code endpoint} listening, or says in one line why it cannot. */
    public Server listen(Endpoint endpoint) throws ExampleException {
        Transport chosen = Transports.find(transport);
        if (port < 0 || port > 65_535) {
            throw ExampleException.usage("--port must be 0 to 65535, was " + port);
        }
        var address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw ExampleException.usage("unknown host " + host);
        }
        try {
            return endpoint.listen(chosen, address);
        } catch (BindException e) {
            throw ExampleException.failed("port " + port + " is already in use on " + host + "; choose another with --port");
        } catch (IOException e) {
            throw ExampleException.failed("cannot listen on " + host + ":" + port + " over " + chosen.name()
                    + ": " + e.getMessage());
        }
    }
}
