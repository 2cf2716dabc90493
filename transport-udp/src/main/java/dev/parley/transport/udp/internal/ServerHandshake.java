package dev.parley.transport.udp.internal;

import java.net.InetSocketAddress;

/**
 * The server's side of the handshake for packets that belong to no connection yet, kept stateless:
 * an INITIAL without a cookie, or with an expired one, gets a RETRY carrying a fresh one (smaller than the padded INITIAL, so the
 * server never amplifies); an INITIAL with a valid cookie may open a connection; anything else is
 * dropped. Nothing is allocated per client before the cookie checks out.
 *
 * <p>Not thread-safe: used by one receive loop (each loop of a listener has its own, with
 * {@link HandshakeCookies#sibling() the same secret}). Its counters may be read from any thread.
 */
public final class ServerHandshake {

    /** What to do with an INITIAL. */
    public sealed interface Decision {
        /** Send these bytes back to the sender and forget it. */
        record Reply(byte[] packet) implements Decision {
        }

        /** The address is proven: open a connection (or answer again if it is open already). */
        record Accept() implements Decision {
        }

        /** Drop the packet. */
        record Drop(String why) implements Decision {
        }
    }

    private final HandshakeCookies cookies;
    private volatile long retriesSent;
    private volatile long forgedCookies;
    private volatile long expiredCookies;

    public ServerHandshake(HandshakeCookies cookies) {
        this.cookies = cookies;
    }

    /** Decides what an INITIAL from {@code from} at {@code now} gets. */
    public Decision onInitial(Packet.Initial initial, InetSocketAddress from, long now) {
        long client = initial.sourceConnectionId();
        if (initial.cookie().length == 0) {
            return retry(initial, from, now);
        }
        return switch (cookies.verify(from, client, initial.cookie(), now)) {
            case VALID -> new Decision.Accept();
            case FORGED -> {
                forgedCookies++;
                yield new Decision.Drop("forged cookie");
            }
            case EXPIRED -> {
                expiredCookies++;
                yield retry(initial, from, now);
            }
        };
    }

    private Decision retry(Packet.Initial initial, InetSocketAddress from, long now) {
        retriesSent++;
        long client = initial.sourceConnectionId();
        return new Decision.Reply(PacketCodec.retry(client, initial.packetNumber(), cookies.mint(from, client, now)));
    }

    public long retriesSent() {
        return retriesSent;
    }

    public long forgedCookies() {
        return forgedCookies;
    }

    public long expiredCookies() {
        return expiredCookies;
    }
}
