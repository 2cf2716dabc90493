package dev.parley.transport.tcp;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;

/**
 * Runs the transport conformance suite against the TCP transport with virtual threads reading
 * both sides (the default reads connected connections on platform threads and accepted ones on
 * virtual threads: {@link TcpTransportConformanceTest}).
 */
class TcpTransportVirtualReadersConformanceTest extends TcpTransportConformanceTest {

    @Override
    protected Transport transport(TransportOptions options) {
        return TcpTransport.create(options).withReaderThreads(ReaderThreads.VIRTUAL, ReaderThreads.VIRTUAL);
    }
}
