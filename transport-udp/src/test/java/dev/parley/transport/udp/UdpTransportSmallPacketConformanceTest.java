package dev.parley.transport.udp;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;

/**
 * The transport conformance suite over UDP on loopback with the 1200-byte packets of a real path
 * (no larger loopback packets), so fragmentation and packing work as they would across a network.
 */
class UdpTransportSmallPacketConformanceTest extends UdpTransportConformanceTest {

    @Override
    protected Transport transport(TransportOptions options) {
        return UdpTransport.create(options, UdpOptions.defaults().toBuilder().loopbackPacketSize(0).build());
    }
}
