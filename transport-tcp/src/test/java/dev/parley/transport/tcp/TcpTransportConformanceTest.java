package dev.parley.transport.tcp;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest;
import dev.parley.transport.TransportOptions;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Runs the transport conformance suite against the TCP transport over IPv4 loopback, with the
 * default reader threads: platform for connected connections, virtual for accepted ones.
 */
class TcpTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected Transport transport(TransportOptions options) {
        return TcpTransport.create(options);
    }

    @Override
    protected SocketAddress bindAddress() {
        return new InetSocketAddress("127.0.0.1", 0);
    }
}
