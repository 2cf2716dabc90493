package dev.parley.transport.tcp;

import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the transport conformance suite against the TCP transport over IPv6 loopback, where it exists. */
class TcpTransportIpv6ConformanceTest extends TcpTransportConformanceTest {

    private static final InetSocketAddress IPV6_LOOPBACK = new InetSocketAddress("::1", 0);

    @BeforeAll
    static void requireIpv6Loopback() {
        boolean bindable;
        try (var probe = new ServerSocket()) {
            probe.bind(IPV6_LOOPBACK);
            bindable = true;
        } catch (IOException e) {
            bindable = false;
        }
        assumeTrue(bindable, "::1 cannot be bound on this machine");
    }

    @Override
    protected SocketAddress bindAddress() {
        return IPV6_LOOPBACK;
    }
}
