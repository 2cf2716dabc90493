package dev.parley.transport.tcp;

import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs the transport conformance suite against the TCP transport with TLS over IPv4 loopback:
 * every promise of plain TCP (order, backpressure, graceful close and reset, limits, idle
 * timeouts) holds with TLS underneath.
 */
class TcpTlsConformanceTest extends TransportConformanceTest {

    private static TcpTls tls;

    /**
     * Makes the certificate, then runs one handshake with a generous timeout: the first TLS
     * handshake in a JVM initialises the JDK's security providers and is interpreted code, and on
     * a busy machine it once took longer than the suite's 2 s connect timeout, failing whichever
     * test happened to run first.
     */
    @BeforeAll
    static void makeACertificateAndWarmUpTls(@TempDir Path directory) throws Exception {
        tls = TcpTls.create(SelfSignedCertificate.forLoopback(directory).presentingAndTrustingItself());
        var patient = TcpTransport.create(TransportOptions.defaults().toBuilder()
                .connectTimeout(Duration.ofSeconds(30)).build(), tls);
        ConnectionHandler ignoring = (connection, frame) -> { };
        try (Listener listener = patient.listen(new InetSocketAddress("127.0.0.1", 0), ignoring)) {
            patient.connect(listener.localAddress(), ignoring).close();
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
