package dev.parley.server.cli;

import dev.parley.im.ImProtocol;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Reads {@code HOST:PORT} (or {@code HOST} alone, meaning port {@value ImProtocol#DEFAULT_PORT};
 * IPv6 literals in brackets: {@code [::1]:6666}) into a resolved address, and writes addresses
 * back the same way. Stateless; other modules' commands use it too.
 */
public final class Addresses implements ITypeConverter<InetSocketAddress> {

    @Override
    public InetSocketAddress convert(String value) {
        return parse(value, ImProtocol.DEFAULT_PORT);
    }

    /**
     * Reads {@code HOST:PORT}, or {@code HOST} alone meaning {@code defaultPort}, into a resolved address.
     *
     * @throws TypeConversionException saying what is wrong with {@code value}
     */
    public static InetSocketAddress parse(String value, int defaultPort) {
        String host = value;
        String port = null;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            String after = close < 0 ? "" : value.substring(close + 1);
            if (close < 0 || !(after.isEmpty() || after.startsWith(":"))) {
                throw new TypeConversionException("'" + value + "' is not HOST:PORT");
            }
            host = value.substring(1, close);
            port = after.isEmpty() ? null : after.substring(1);
        } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            host = value.substring(0, value.indexOf(':'));
            port = value.substring(value.indexOf(':') + 1);
        }
        if (host.isEmpty()) {
            throw new TypeConversionException("no host in '" + value + "'; expected HOST:PORT");
        }
        var address = new InetSocketAddress(host, port == null ? defaultPort : port(port));
        if (address.isUnresolved()) {
            throw new TypeConversionException("unknown host " + host);
        }
        return address;
    }

    /** {@code address} as {@code host:port}, numeric where the address is an IP socket address. */
    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
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
            // Reported below with the value.
        }
        throw new TypeConversionException("'" + digits + "' is not a port (0 to 65535)");
    }
}
