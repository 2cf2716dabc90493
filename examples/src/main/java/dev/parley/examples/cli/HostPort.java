package dev.parley.examples.cli;

import dev.parley.server.cli.Addresses;
import picocli.CommandLine.ITypeConverter;

import java.net.InetSocketAddress;

/**
 * Reads {@code HOST:PORT} ({@code [::1]:7000} for IPv6; {@code HOST} alone means the examples'
 * port {@value ListenAddress#DEFAULT_PORT}) into a resolved address, as the {@code parley} command
 * line does. Stateless.
 */
public final class HostPort implements ITypeConverter<InetSocketAddress> {

    @Override
    public InetSocketAddress convert(String value) {
        return Addresses.parse(value, ListenAddress.DEFAULT_PORT);
    }
}
