package dev.parley.transport.tcp;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.TransportProvider;

/**
 * Registers {@link TcpTransport} under the name {@value TcpTransport#NAME}, for
 * {@link Transport#byName}. Stateless and thread-safe.
 */
public final class TcpTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return TcpTransport.NAME;
    }

    @Override
    public Transport create(TransportOptions options) {
        return TcpTransport.create(options);
    }
}
