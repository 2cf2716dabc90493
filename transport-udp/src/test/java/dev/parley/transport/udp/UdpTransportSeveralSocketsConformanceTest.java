package dev.parley.transport.udp;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;

/**
 * The transport conformance suite over UDP with a listener that binds four sockets to its port
 * ({@link UdpOptions#receiveSockets()}), each with its own receive and timer threads, as a
 * many-core server does by default: every promise holds whichever socket serves a connection.
 */
class UdpTransportSeveralSocketsConformanceTest extends UdpTransportConformanceTest {

    @Override
    protected Transport transport(TransportOptions options) {
        return UdpTransport.create(options, UdpOptions.defaults().toBuilder().receiveSockets(4).build());
    }
}
