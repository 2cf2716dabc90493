package dev.parley.examples.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Reads {@code HOST:PORT} ({@code [::1]:7000} for IPv6) into a resolved address, and writes
 * addresses back the same way. Stateless.
 */
public final class HostPort implements ITypeConverter<InetSocketAddress> {

    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new TypeConversionException("'" + value + "' is not HOST:PORT");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        var address = new InetSocketAddress(host, port(value.substring(colon + 1)));
        if (address.isUnresolved()) {
            throw new TypeConversionException("unknown host " + host);
        }
        return address;
    }

    /** {@code address} as {@code host:port}, with the host as a number. */
    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    private static int port(String digits) {
        try {
            int port = Integer.parseInt(digits);
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below, with the value.
        }
        throw new TypeConversionException("'" + digits + "' is not a port (0 to 65535)");
    }
}
