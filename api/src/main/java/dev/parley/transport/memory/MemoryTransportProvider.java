package dev.parley.transport.memory;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.TransportProvider;

/** Registers {@link MemoryTransport} under the name {@value MemoryTransport#NAME}. */
public final class MemoryTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return MemoryTransport.NAME;
    }

    @Override
    public Transport create(TransportOptions options) {
        return MemoryTransport.create(options);
    }
}
