package dev.parley.server;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.tcp.SelfSignedCertificate;
import dev.parley.transport.tcp.TcpTls;
import dev.parley.transport.tcp.TcpTransport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Comparator;
import java.util.stream.Stream;

/** The transports the server scenarios run over: add a name here and every scenario runs over it too. */
final class Transports {

    /** TCP with TLS 1.3, presenting and trusting a self-signed certificate for loopback. */
    static final String TCP_TLS = "tcp+tls";

    private static TcpTls tls;

    private Transports() {
    }

    static Stream<String> names() {
        return Stream.of("memory", "tcp", TCP_TLS, "udp");
    }

    /** The transport called {@code name} in {@link #names()}, with default options. */
    static Transport create(String name) throws IOException {
        return name.equals(TCP_TLS) ? TcpTransport.create(TransportOptions.defaults(), tls()) : Transport.byName(name);
    }

    private static synchronized TcpTls tls() throws IOException {
        if (tls == null) {
            Path directory = Files.createTempDirectory("parley-tls");
            try {
                tls = TcpTls.create(SelfSignedCertificate.forLoopback(directory).presentingAndTrustingItself());
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot use the test certificate: " + e, e);
            } finally {
                delete(directory);
            }
        }
        return tls;
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
