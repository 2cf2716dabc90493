package dev.parley.transport.tcp;

import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * Runs the transport conformance suite against the TCP transport with TLS over IPv4 loopback:
 * every promise of plain TCP (order, backpressure, graceful close and reset, limits, idle
 * timeouts) holds with TLS underneath.
 */
class TcpTlsConformanceTest extends TransportConformanceTest {

    private static TcpTls tls;

    @BeforeAll
    static void makeACertificate(@TempDir Path directory) throws Exception {
        tls = TcpTls.create(SelfSignedCertificate.forLoopback(directory).presentingAndTrustingItself());
        handshakeOnce();
    }

    /**
     * The first TLS handshake of a JVM loads and initialises JSSE and its ciphers, which took more
     * than the suite's 2 s connect timeout on a loaded machine: done once here, with the default
     * timeout, so that the tests time the protocol and not the class loading.
     */
    private static void handshakeOnce() throws Exception {
        var transport = TcpTransport.create(TransportOptions.defaults(), tls);
        ConnectionHandler ignore = (connection, frame) -> {
        };
        try (var listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), ignore)) {
            transport.connect(listener.localAddress(), ignore).close();
        }
    }

    @Override
    protected Transport transport(TransportOptions options) {
        return TcpTransport.create(options, tls);
    }

    @Override
    protected SocketAddress bindAddress() {
        return new InetSocketAddress("127.0.0.1", 0);
    }
}
