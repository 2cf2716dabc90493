package dev.parley.chaos;

import dev.parley.chaos.internal.RemoteProxy;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.Testcontainers;
import org.testcontainers.toxiproxy.ToxiproxyContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link FaultProxies} on a real Toxiproxy in a container, through Testcontainers: for checking
 * that a scenario behaves the same against Toxiproxy itself. Needs a Docker engine and
 * {@code org.testcontainers:testcontainers-toxiproxy} on the test class path (this module declares
 * it optional). TCP only, without this kit's extensions; at most {@value #PROXIES} proxies, on the
 * container's ports 8666 and up. Servers on this machine are reached from the container through
 * Testcontainers' {@code host.testcontainers.internal}.
 *
 * <p>Thread-safe. {@link #close()} stops the container.
 */
public final class ToxiproxyContainerProxies implements FaultProxies {

    /** The image used by default. */
    public static final String DEFAULT_IMAGE = "ghcr.io/shopify/toxiproxy:2.5.0";
    /** How many proxies the container's exposed ports allow. */
    public static final int PROXIES = 32;
    private static final int FIRST_PORT = 8666;

    private final ToxiproxyContainer container;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger next = new AtomicInteger();

    private ToxiproxyContainerProxies(ToxiproxyContainer container) {
        this.container = container;
    }

    /** Whether a Docker engine answers, so that a container can start. */
    public static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** Starts a Toxiproxy container of {@code image} (for example {@link #DEFAULT_IMAGE}). */
    public static ToxiproxyContainerProxies start(String image) {
        var container = new ToxiproxyContainer(DockerImageName.parse(image)
                .asCompatibleSubstituteFor("ghcr.io/shopify/toxiproxy"));
        container.start();
        return new ToxiproxyContainerProxies(container);
    }

    @Override
    public ChaosProxy createProxy(String name, Protocol protocol, InetSocketAddress upstream) throws IOException {
        if (!supports(protocol)) {
            throw new IllegalArgumentException("Toxiproxy has no " + protocol.wireName() + " proxies");
        }
        int index = next.getAndIncrement();
        if (index >= PROXIES) {
            throw new IllegalStateException("the container exposes ports for " + PROXIES + " proxies only");
        }
        Testcontainers.exposeHostPorts(upstream.getPort());
        int port = FIRST_PORT + index;
        URI control = URI.create("http://" + container.getHost() + ":" + container.getControlPort());
        return RemoteProxy.create(http, control, name, "0.0.0.0:" + port,
                "host.testcontainers.internal:" + upstream.getPort(),
                new InetSocketAddress(container.getHost(), container.getMappedPort(port)));
    }

    @Override
    public boolean supports(Protocol protocol) {
        return protocol == Protocol.TCP;
    }

    @Override
    public boolean supports(ToxicType type) {
        return RemoteProxy.knows(type);
    }

    /** Toxiproxy's choices are not seeded: 0. */
    @Override
    public long seed() {
        return 0;
    }

    @Override
    public void close() {
        container.stop();
    }
}
