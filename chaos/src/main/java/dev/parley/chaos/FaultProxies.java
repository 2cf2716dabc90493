package dev.parley.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Somewhere to create fault proxies in front of servers on this machine: this kit's in-process
 * {@link ChaosServer}, or a real Toxiproxy in a container ({@link ToxiproxyContainerProxies}).
 * Tests written against this interface run against either. Thread-safe.
 */
public interface FaultProxies extends AutoCloseable {

    /**
     * Creates a proxy in front of {@code upstream}, a server on this machine; clients connect to
     * the proxy's {@link ChaosProxy#listenAddress()}.
     *
     * @throws IllegalArgumentException if {@code protocol} is not {@linkplain #supports supported}
     * @throws IOException if the proxy cannot be created
     */
    ChaosProxy createProxy(String name, Protocol protocol, InetSocketAddress upstream) throws IOException;

    /** Whether proxies of {@code protocol} can be created here (a real Toxiproxy has TCP only). */
    boolean supports(Protocol protocol);

    /** Whether toxics of {@code type} can be added here (a real Toxiproxy lacks this kit's extensions). */
    boolean supports(ToxicType type);

    /** The seed of the random choices, for replay; a real Toxiproxy's are not seeded, and say 0. */
    long seed();

    /** Stops every proxy. */
    @Override
    void close();
}
