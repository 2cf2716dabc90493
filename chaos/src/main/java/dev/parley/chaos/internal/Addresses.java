package dev.parley.chaos.internal;

import java.net.InetSocketAddress;

/** Parses Toxiproxy's {@code host:port} addresses and prints them back. Stateless. */
public final class Addresses {

    private Addresses() {
    }

    /**
     * The address {@code text} names, unresolved until used; {@code [::1]:80} for IPv6.
     *
     * @throws IllegalArgumentException if it is not {@code host:port} with a port from 0 to 65535
     */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, was '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address must be host:port, was '" + text + "'", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        return new InetSocketAddress(host, port);
    }

    /** {@code host:port} of {@code address}, the host as a literal IP where it is resolved. */
    public static String format(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
