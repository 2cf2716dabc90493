package dev.parley.transport.udp.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless address validation for the handshake, like QUIC's Retry token or a TCP SYN cookie: the
 * server answers a first INITIAL with a cookie that binds the client's address, port and connection
 * id to the time it was minted, authenticated with a secret only the server knows. A client that
 * echoes a valid, fresh cookie has proved it receives at its address, and only then does the server
 * allocate anything. Nothing is stored per client.
 *
 * <pre>
 * cookie = minted at, ms (8) | HMAC-SHA256(secret, address | port | client connection id | minted at)[0..16)
 * </pre>
 *
 * <p>Not thread-safe (a {@link Mac} is not): used by one receive loop. A listener with several
 * receive loops gives each its own {@link #sibling()}, so that a cookie minted by one loop checks out
 * on any other.
 */
public final class HandshakeCookies {

    /** Bytes of a cookie. */
    public static final int LENGTH = 8 + 16;

    /** What a presented cookie turned out to be. */
    public enum Verdict {
        VALID,
        /** Wrong length or a bad MAC: not minted by us for this address and connection id. */
        FORGED,
        /** Minted by us, but too long ago (or in the future). */
        EXPIRED
    }

    private final byte[] secret;
    private final Mac mac;
    private final long lifetimeNanos;

    /** Cookies signed with a fresh random secret. */
    public HandshakeCookies(long lifetimeNanos) {
        this(randomSecret(), lifetimeNanos);
    }

    /** Cookies signed with {@code secret}; tests use a fixed one. */
    public HandshakeCookies(byte[] secret, long lifetimeNanos) {
        this.secret = secret.clone();
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
        this.lifetimeNanos = lifetimeNanos;
    }

    /** Cookies with the same secret and lifetime for another thread to use. */
    public HandshakeCookies sibling() {
        return new HandshakeCookies(secret, lifetimeNanos);
    }

    /** A cookie for {@code client} using {@code clientConnectionId}, minted at {@code now} (nanoseconds). */
    public byte[] mint(InetSocketAddress client, long clientConnectionId, long now) {
        long mintedAt = now / 1_000_000;
        byte[] tag = tag(client, clientConnectionId, mintedAt);
        return ByteBuffer.allocate(LENGTH).putLong(mintedAt).put(tag, 0, 16).array();
    }

    /** Checks a cookie presented by {@code client} at {@code now}. */
    public Verdict verify(InetSocketAddress client, long clientConnectionId, byte[] cookie, long now) {
        if (cookie.length != LENGTH) {
            return Verdict.FORGED;
        }
        ByteBuffer in = ByteBuffer.wrap(cookie);
        long mintedAt = in.getLong();
        byte[] expected = tag(client, clientConnectionId, mintedAt);
        byte[] presented = new byte[16];
        in.get(presented);
        if (!MessageDigest.isEqual(presented, Arrays.copyOf(expected, 16))) {
            return Verdict.FORGED;
        }
        long ageMillis = now / 1_000_000 - mintedAt;
        return ageMillis < 0 || ageMillis * 1_000_000 > lifetimeNanos ? Verdict.EXPIRED : Verdict.VALID;
    }

    private byte[] tag(InetSocketAddress client, long clientConnectionId, long mintedAt) {
        byte[] address = client.getAddress().getAddress();
        ByteBuffer input = ByteBuffer.allocate(address.length + 4 + 8 + 8)
                .put(address).putInt(client.getPort()).putLong(clientConnectionId).putLong(mintedAt);
        return mac.doFinal(input.array());
    }

    private static byte[] randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }
}
