package dev.parley.transport.udp;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest;
import dev.parley.transport.TransportOptions;

/** The transport conformance suite, run over UDP on loopback. */
class UdpTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected Transport transport(TransportOptions options) {
        return UdpTransport.create(options);
    }

    /** Flow control: what the receiver accepts beyond its handler, and what the sender keeps handed to the protocol. */
    @Override
    protected long bytesHeldInTransit() {
        var defaults = UdpOptions.defaults();
        return defaults.receiveWindowBytes() + defaults.sendBufferBytes();
    }
}
