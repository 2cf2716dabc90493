package dev.parley.transport.udp;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.TransportProvider;

/** Registers {@link UdpTransport} under the name {@value UdpTransport#NAME}. Stateless; any thread. */
public final class UdpTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return UdpTransport.NAME;
    }

    @Override
    public Transport create(TransportOptions options) {
        return UdpTransport.create(options);
    }
}
