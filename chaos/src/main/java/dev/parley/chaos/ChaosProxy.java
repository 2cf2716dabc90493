package dev.parley.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One proxy of a {@link ChaosServer}: it listens at {@link #listenAddress()}, forwards to
 * {@link #upstream()}, and applies its {@link Toxic}s on the way. Changes take effect at once, on
 * connections (or UDP clients) already open too, as in Toxiproxy. Thread-safe.
 */
public interface ChaosProxy {

    /** The name the proxy is known by in the control API. */
    String name();

    /** TCP (Toxiproxy's kind) or UDP (this kit's extension). */
    Protocol protocol();

    /** The address bound; with port 0 requested, this names the port chosen. */
    InetSocketAddress listenAddress();

    /** Where traffic goes, as {@code host:port}. */
    String upstream();

    /** Open client connections (TCP), or clients the proxy knows (UDP); -1 where it cannot tell (a real Toxiproxy). */
    int connectionCount();

    /** False while the proxy is down. */
    boolean isEnabled();

    /**
     * Brings a disabled proxy back up on the same address. Idempotent.
     *
     * @throws IOException if the address cannot be bound again
     */
    void enable() throws IOException;

    /**
     * Takes the proxy down, as Toxiproxy's {@code enabled: false}: it stops listening and closes
     * every connection (for UDP, forgets every client and drops what is in flight). Idempotent.
     */
    void disable();

    /**
     * Adds {@code toxic}.
     *
     * @throws IllegalArgumentException if this proxy's protocol has no such toxic type
     * @throws IllegalStateException if a toxic of that name exists already
     */
    Toxic add(Toxic toxic);

    /**
     * Replaces the toxic of the same name with {@code toxic}.
     *
     * @throws java.util.NoSuchElementException if there is no toxic of that name
     */
    Toxic update(Toxic toxic);

    /**
     * Removes the toxic called {@code name}.
     *
     * @throws java.util.NoSuchElementException if there is none
     */
    void remove(String name);

    /** The toxics in the order they were added. */
    List<Toxic> toxics();
}
