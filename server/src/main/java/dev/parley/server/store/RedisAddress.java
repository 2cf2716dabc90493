package dev.parley.server.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a Redis server is and how to sign in to it, as written on a command line:
 * {@code redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]}, or {@code rediss://...} for TLS. The user
 * and password may be percent-encoded; a password alone ({@code redis://:secret@host}) signs in
 * as the default user. Immutable.
 *
 * @param tls      true for {@code rediss://}: the connection is TLS, the server's certificate
 *                 checked against the JVM's trust store and the host name
 * @param host     name or address (an IPv6 address without its brackets)
 * @param port     default {@value #DEFAULT_PORT}
 * @param user     for Redis 6 ACLs, or null for the default user
 * @param password or null when the server asks none
 * @param database the logical database to select, default 0
 */
public record RedisAddress(boolean tls, String host, int port, String user, String password, int database) {

    public static final int DEFAULT_PORT = 6379;

    public RedisAddress {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("a Redis address needs a host");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("Redis port must be 1 to 65535, was " + port);
        }
        if (database < 0) {
            throw new IllegalArgumentException("Redis database must be 0 or more, was " + database);
        }
        if (user != null && password == null) {
            throw new IllegalArgumentException("a Redis user needs a password");
        }
    }

    /** Plain TCP to {@code host:port}, database 0, no password. */
    public static RedisAddress of(String host, int port) {
        return new RedisAddress(false, host, port, null, null, 0);
    }

    /**
     * Reads {@code redis://...} or {@code rediss://...}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static RedisAddress parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a Redis address: " + text + " (" + e.getReason() + ")");
        }
        boolean tls;
        if ("redis".equalsIgnoreCase(uri.getScheme())) {
            tls = false;
        } else if ("rediss".equalsIgnoreCase(uri.getScheme())) {
            tls = true;
        } else {
            throw new IllegalArgumentException("a Redis address starts with redis:// or rediss://, was " + text);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in the Redis address " + text);
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            if (colon < 0) {
                password = decode(info);
            } else {
                user = colon == 0 ? null : decode(info.substring(0, colon));
                password = decode(info.substring(colon + 1));
            }
        }
        int database = 0;
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/")) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the Redis database is a number, was " + path.substring(1) + " in " + text);
            }
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("a Redis address takes no ?query or #fragment: " + text);
        }
        return new RedisAddress(tls, host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), user, password, database);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code host:port} (brackets around an IPv6 address), for messages. */
    public String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The address as a URI with the password left out, safe to print. */
    @Override
    public String toString() {
        String credentials = password == null ? "" : (user == null ? "" : user) + ":***@";
        return (tls ? "rediss://" : "redis://") + credentials + hostAndPort() + (database == 0 ? "" : "/" + database);
    }
}
