package dev.parley.chaos.internal;

import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Ticker;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What TCP and UDP proxies share: name, addresses, the toxic list, the enabled state and the seeded
 * random source from which every connection or client gets its own stream.
 *
 * <p>Control methods are called by any thread (the HTTP server's, a test's) and serialised by one
 * lock; the forwarding threads read the toxic list as an immutable snapshot, without locking.
 */
public abstract class AbstractProxy implements ChaosProxy {

    private final String name;
    private final Protocol protocol;
    private final String upstream;
    private final Ticker ticker;
    private final SplittableRandom random;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Toxic> toxics = new LinkedHashMap<>();
    private volatile List<Toxic> snapshot = List.of();
    private volatile InetSocketAddress listenAddress;
    private volatile boolean enabled;

    protected AbstractProxy(String name, Protocol protocol, InetSocketAddress listen, String upstream,
                            Ticker ticker, long seed) {
        this.name = name;
        this.protocol = protocol;
        this.listenAddress = listen;
        this.upstream = upstream;
        this.ticker = ticker;
        this.random = new SplittableRandom(seed);
        Addresses.parse(upstream);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public InetSocketAddress listenAddress() {
        return listenAddress;
    }

    @Override
    public String upstream() {
        return upstream;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    /** The time source every delay waits on. */
    protected Ticker ticker() {
        return ticker;
    }

    @Override
    public void enable() throws IOException {
        lock.lock();
        try {
            if (!enabled) {
                listenAddress = bind(listenAddress);
                enabled = true;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void disable() {
        lock.lock();
        try {
            if (enabled) {
                enabled = false;
                unbind();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Toxic add(Toxic toxic) {
        if (!toxic.type().protocols().contains(protocol)) {
            throw new IllegalArgumentException("a " + protocol.wireName() + " proxy has no toxic type '"
                    + toxic.type().wireName() + "'");
        }
        return change(toxic.name(), toxic, false);
    }

    @Override
    public Toxic update(Toxic toxic) {
        return change(toxic.name(), toxic, true);
    }

    @Override
    public void remove(String toxicName) {
        change(toxicName, null, true);
    }

    /** Removes every toxic and enables the proxy, as Toxiproxy's reset does. */
    public void reset() throws IOException {
        lock.lock();
        try {
            toxics.clear();
            snapshot = List.of();
        } finally {
            lock.unlock();
        }
        toxicsChanged();
        enable();
    }

    @Override
    public List<Toxic> toxics() {
        return snapshot;
    }

    /** The toxics acting in {@code direction}, in the order they were added. */
    protected List<Toxic> toxics(Direction direction) {
        return snapshot.stream().filter(t -> t.stream() == direction).toList();
    }

    /** True if {@code toxic} is on this proxy now, unchanged. */
    protected boolean has(Toxic toxic) {
        return snapshot.contains(toxic);
    }

    /** A random source of its own for one connection or client, split off the proxy's seeded one. */
    protected SplittableRandom newRandom() {
        lock.lock();
        try {
            return random.split();
        } finally {
            lock.unlock();
        }
    }

    /** Stops for good. */
    public void close() {
        disable();
    }

    /** Binds the listening socket at {@code address} and starts serving; returns the address bound. */
    protected abstract InetSocketAddress bind(InetSocketAddress address) throws IOException;

    /** Closes the listening socket and every connection or client. */
    protected abstract void unbind();

    /** Called after every change of the toxic list, on the thread that made it. */
    protected abstract void toxicsChanged();

    private Toxic change(String toxicName, Toxic replacement, boolean mustExist) {
        lock.lock();
        try {
            boolean exists = toxics.containsKey(toxicName);
            if (mustExist && !exists) {
                throw new NoSuchElementException("toxic not found: " + toxicName + " on proxy " + name);
            }
            if (!mustExist && exists) {
                throw new IllegalStateException("toxic already exists: " + toxicName + " on proxy " + name);
            }
            if (replacement == null) {
                toxics.remove(toxicName);
            } else {
                if (exists && toxics.get(toxicName).type() != replacement.type()) {
                    throw new IllegalArgumentException("toxic " + toxicName + " is a "
                            + toxics.get(toxicName).type().wireName() + "; its type cannot change");
                }
                toxics.put(toxicName, replacement);
            }
            snapshot = List.copyOf(toxics.values());
        } finally {
            lock.unlock();
        }
        toxicsChanged();
        return replacement;
    }

    /** Whether {@code type} is among {@code list}. */
    protected static boolean any(List<Toxic> list, ToxicType type) {
        return list.stream().anyMatch(t -> t.type() == type);
    }
}
