package dev.parley.transport.udp;

import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The transport conformance suite over UDP on the IPv6 loopback, where the machine has one. */
class UdpTransportIpv6ConformanceTest extends UdpTransportConformanceTest {

    private static final InetSocketAddress IPV6_LOOPBACK = new InetSocketAddress("::1", 0);

    @BeforeAll
    static void requireIpv6Loopback() {
        boolean bindable;
        try (var probe = DatagramChannel.open()) {
            probe.bind(IPV6_LOOPBACK);
            bindable = true;
        } catch (IOException | UnsupportedOperationException e) {
            bindable = false;
        }
        assumeTrue(bindable, "::1 cannot be bound on this machine");
    }

    @Override
    protected SocketAddress bindAddress() {
        return IPV6_LOOPBACK;
    }
}
