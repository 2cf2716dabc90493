package dev.parley.chaos;

import dev.parley.chaos.internal.AbstractProxy;
import dev.parley.chaos.internal.Addresses;
import dev.parley.chaos.internal.ControlApi;
import dev.parley.chaos.internal.TcpProxy;
import dev.parley.chaos.internal.UdpProxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fault proxy in the manner of Toxiproxy, in-process: TCP proxies with Toxiproxy's toxics, UDP
 * proxies with loss, duplication, reordering, corruption, latency, bandwidth and partitions, and
 * Toxiproxy's HTTP control API (so {@code eu.rekawek.toxiproxy.ToxiproxyClient} drives it unchanged)
 * at {@link #controlAddress()}. It is Toxiproxy-compatible, not Toxiproxy.
 *
 * <pre>{@code
 * try (ChaosServer chaos = ChaosServer.start(ChaosOptions.defaults())) {
 *     ChaosProxy proxy = chaos.createProxy("im", Protocol.TCP, "127.0.0.1:0", "127.0.0.1:6666");
 *     proxy.add(Toxic.of(ToxicType.LATENCY, Direction.DOWNSTREAM).with("latency", 100).with("jitter", 50));
 *     // clients connect to proxy.listenAddress()
 * }
 * }</pre>
 *
 * <p>Every random choice comes from {@link #seed()}; each proxy derives its own stream from the seed
 * and its name, so a run replays with {@link ChaosOptions#withSeed}. Thread-safe; proxies forward on
 * virtual threads of their own, and {@link #close()} stops them all.
 */
public final class ChaosServer implements FaultProxies {

    private final ChaosOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, AbstractProxy> proxies = new LinkedHashMap<>();
    private final ControlApi api;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChaosServer(ChaosOptions options) throws IOException {
        this.options = options;
        this.api = ControlApi.start(this, options.controlAddress());
    }

    /**
     * Starts a server whose control API listens at {@link ChaosOptions#controlAddress()}.
     *
     * @throws IOException if that address cannot be bound
     */
    public static ChaosServer start(ChaosOptions options) throws IOException {
        return new ChaosServer(options);
    }

    /** Where the HTTP control API listens. */
    public InetSocketAddress controlAddress() {
        return api.address();
    }

    /** Every protocol: TCP and UDP. */
    @Override
    public boolean supports(Protocol protocol) {
        return true;
    }

    /** Every toxic type, this kit's extensions included. */
    @Override
    public boolean supports(ToxicType type) {
        return true;
    }

    /** The seed every random choice comes from. */
    @Override
    public long seed() {
        return options.seed();
    }

    /**
     * Creates and starts a proxy, as Toxiproxy's {@code POST /proxies}.
     *
     * @param listen   {@code host:port} to listen at; port 0 picks a free one
     * @param upstream {@code host:port} to forward to
     * @throws IllegalArgumentException if an address is not {@code host:port}
     * @throws IllegalStateException    if a proxy of that name exists
     * @throws IOException              if {@code listen} cannot be bound
     */
    public ChaosProxy createProxy(String name, Protocol protocol, String listen, String upstream) throws IOException {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("proxy name must be non-empty and without '/', was '" + name + "'");
        }
        InetSocketAddress address = Addresses.parse(listen);
        long seed = options.seed() ^ mix(name.hashCode());
        lock.lock();
        try {
            if (proxies.containsKey(name)) {
                throw new IllegalStateException("proxy already exists: " + name);
            }
            AbstractProxy proxy = switch (protocol) {
                case TCP -> new TcpProxy(name, address, upstream, options.ticker(), seed);
                case UDP -> new UdpProxy(name, address, upstream, options.ticker(), seed);
            };
            proxy.enable();
            proxies.put(name, proxy);
            return proxy;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Creates a proxy on a free loopback port in front of {@code upstream}.
     *
     * @throws IOException if no port can be bound
     */
    @Override
    public ChaosProxy createProxy(String name, Protocol protocol, InetSocketAddress upstream) throws IOException {
        String listen = Addresses.format(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return createProxy(name, protocol, listen, Addresses.format(upstream));
    }

    /** The proxy called {@code name}, if there is one. */
    public Optional<ChaosProxy> proxy(String name) {
        lock.lock();
        try {
            return Optional.ofNullable(proxies.get(name));
        } finally {
            lock.unlock();
        }
    }

    /** Every proxy, in the order they were created. */
    public List<ChaosProxy> proxies() {
        lock.lock();
        try {
            return List.copyOf(proxies.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops and forgets the proxy called {@code name}.
     *
     * @throws NoSuchElementException if there is none
     */
    public void delete(String name) {
        AbstractProxy proxy;
        lock.lock();
        try {
            proxy = proxies.remove(name);
        } finally {
            lock.unlock();
        }
        if (proxy == null) {
            throw new NoSuchElementException("proxy not found: " + name);
        }
        proxy.close();
    }

    /**
     * Removes every toxic and enables every proxy, as Toxiproxy's {@code POST /reset}.
     *
     * @throws IOException if a disabled proxy cannot bind its address again
     */
    public void reset() throws IOException {
        for (ChaosProxy proxy : proxies()) {
            ((AbstractProxy) proxy).reset();
        }
    }

    /** Stops the control API and every proxy, closing every connection. Idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        api.close();
        List<AbstractProxy> all;
        lock.lock();
        try {
            all = new ArrayList<>(proxies.values());
            proxies.clear();
        } finally {
            lock.unlock();
        }
        all.forEach(AbstractProxy::close);
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }
}
