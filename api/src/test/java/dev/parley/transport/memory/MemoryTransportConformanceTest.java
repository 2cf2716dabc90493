package dev.parley.transport.memory;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest;
import dev.parley.transport.TransportOptions;

/** Runs the transport conformance suite against the in-memory transport. */
class MemoryTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected Transport transport(TransportOptions options) {
        return MemoryTransport.create(options);
    }

    /** An in-process peer cannot go silent, so the memory transport has no idle timeout. */
    @Override
    protected boolean detectsIdlePeers() {
        return false;
    }
}
