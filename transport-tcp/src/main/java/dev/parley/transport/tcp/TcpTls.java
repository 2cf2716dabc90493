package dev.parley.transport.tcp;

import dev.parley.transport.Connection;
import dev.parley.transport.TransportOptions;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS 1.3 for the TCP transport: pass one to {@link TcpTransport#create(TransportOptions, TcpTls)}
 * and every connection that transport opens or accepts is encrypted and integrity-protected, and
 * the client knows it talks to the server its certificate names.
 *
 * <pre>{@code
 * // Server: its certificate chain and private key.
 * Transport server = TcpTransport.create(options, TcpTls.server(Path.of("cert.pem"), Path.of("key.pem")));
 * // Client: the certificates it trusts (the server's own, if self-signed, or its CA's).
 * Transport client = TcpTransport.create(options, TcpTls.client(Path.of("cert.pem")));
 * client.connect(new InetSocketAddress("chat.example.com", 6666), handler);
 * }</pre>
 *
 * <p><b>What is checked.</b> Only TLSv1.3 is enabled, with the JDK's TLS 1.3 cipher suites. A
 * client checks that the server's certificate chains to one it trusts <i>and</i> that it is
 * issued for the host it connects to (the {@code "HTTPS"} endpoint identification of RFC 2818 and
 * RFC 6125): the host name or IP literal of the address given to {@code connect}, or the name set
 * with {@link #withServerName}. A certificate names hosts in its subject alternative names: a
 * server reached as {@code localhost}, {@code 127.0.0.1} or {@code ::1} needs a certificate with
 * {@code DNS:localhost}, {@code IP:127.0.0.1} and {@code IP:::1} among them; for example
 * {@code keytool -genkeypair ... -ext SAN=dns:localhost,ip:127.0.0.1,ip:::1}. Clients present no
 * certificate: the server does not authenticate them (the IM server's accounts do that).
 *
 * <p><b>Handshakes.</b> A listener runs each handshake on a virtual thread of the new connection,
 * never on its accept loop, and bounds it by {@link TransportOptions#connectTimeout()}: a client
 * that connects and never finishes its handshake, or trickles it, is reset when that time is up,
 * and one that speaks anything but TLS 1.3 is reset at once; either way nobody else notices, and
 * the handler never hears of it. A connection counts against
 * {@link TransportOptions#maxConnections()} from the moment it is accepted, handshake included.
 * {@code connect} returns only once the handshake succeeded, within its connect timeout.
 *
 * <p>Immutable and thread-safe, like the {@link SSLContext} it holds.
 */
public final class TcpTls {

    /** The only protocol enabled. */
    public static final String PROTOCOL = "TLSv1.3";

    private static final String[] PROTOCOLS = {PROTOCOL};

    private final SSLContext context;
    private final String serverName;

    private TcpTls(SSLContext context, String serverName) {
        this.context = context;
        this.serverName = serverName;
    }

    /**
     * TLS with {@code context}'s key material (what a listener presents) and trust material (what a
     * client accepts). {@code SSLContext.getDefault()} makes a client that trusts the JDK's
     * certificate authorities.
     * It must be initialised.
     */
    public static TcpTls create(SSLContext context) {
        return new TcpTls(Objects.requireNonNull(context, "context"), null);
    }

    /**
     * A server's TLS from PEM files: {@code certificateChain} holds its certificate first, then any
     * intermediate certificates; {@code privateKey} the certificate's unencrypted PKCS#8 RSA or EC
     * key ({@code -----BEGIN PRIVATE KEY-----}). Files over {@value PemFiles#MAX_PEM_BYTES} bytes
     * are refused.
     *
     * @throws IOException saying in one line which file is missing, unreadable or not what it
     *                     should be, or that the key does not belong to the certificate
     */
    public static TcpTls server(Path certificateChain, Path privateKey) throws IOException {
        List<X509Certificate> chain = PemFiles.readCertificates(certificateChain, "TLS certificate file");
        PrivateKey key = PemFiles.readPrivateKey(privateKey, chain.getFirst());
        try {
            var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(PemFiles.keyStore(chain, key), PemFiles.KEY_STORE_PASSWORD);
            var context = SSLContext.getInstance(PROTOCOL);
            context.init(keyManagers.getKeyManagers(), null, null);
            return create(context);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the key in " + privateKey + " for TLS: " + e.getMessage(), e);
        }
    }

    /**
     * A client's TLS from a PEM file of the certificates it trusts, and only those: a self-signed
     * server certificate, or the certificate authority that signed the server's.
     *
     * @throws IOException saying in one line if the file is missing, unreadable or holds no
     *                     certificate
     */
    public static TcpTls client(Path trustedCertificates) throws IOException {
        List<X509Certificate> trusted = PemFiles.readCertificates(trustedCertificates, "TLS trust file");
        try {
            var trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(PemFiles.trustStore(trusted));
            var context = SSLContext.getInstance(PROTOCOL);
            context.init(null, trustManagers.getTrustManagers(), null);
            return create(context);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the certificates in " + trustedCertificates + ": " + e.getMessage(), e);
        }
    }

    /**
     * The JDK context behind this TLS, for a socket Parley does not open itself: a Redis store's
     * connection, say.
     */
    public SSLContext context() {
        return context;
    }

    /**
     * The same TLS, but a client checks the server's certificate against {@code hostName} (and
     * sends it in the server name indication) instead of the host it connects to: for a server
     * reached through a tunnel or by an address its certificate does not name.
     */
    public TcpTls withServerName(String hostName) {
        Objects.requireNonNull(hostName, "hostName");
        if (hostName.isBlank()) {
            throw new IllegalArgumentException("hostName must not be blank");
        }
        return new TcpTls(context, hostName);
    }

    /**
     * The TLS session of {@code connection} (protocol, cipher suite, the peer's certificates), or
     * empty if it is not a TLS connection of the TCP transport. Any thread.
     */
    public static Optional<SSLSession> session(Connection connection) {
        if (connection instanceof TcpConnection tcp && tcp.socket() instanceof SSLSocket tls) {
            return Optional.of(tls.getSession());
        }
        return Optional.empty();
    }

    /**
     * Layers TLS over the accepted {@code tcp} socket and runs the server's side of the handshake,
     * within {@code connectTimeout}. Resets {@code tcp} if it fails. The calling thread blocks.
     */
    SSLSocket acceptHandshake(Socket tcp, Duration connectTimeout) throws IOException {
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        var tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, null, true);
        onlyTls13(tls, null);
        return TlsHandshake.run(tls, tcp, tcp.getRemoteSocketAddress(), connectTimeout, deadline);
    }

    /**
     * Layers TLS over {@code tcp}, connected to {@code address}, and runs the client's side of the
     * handshake by {@code deadline} ({@link System#nanoTime()}), which {@code connectTimeout} set,
     * checking the server's certificate. Resets {@code tcp} if it fails. The calling thread blocks.
     */
    SSLSocket connectHandshake(Socket tcp, InetSocketAddress address, Duration connectTimeout, long deadline)
            throws IOException {
        String host = serverName != null ? serverName : address.getHostString();
        var tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, address.getPort(), true);
        onlyTls13(tls, "HTTPS");
        return TlsHandshake.run(tls, tcp, address, connectTimeout, deadline);
    }

    private static void onlyTls13(SSLSocket tls, String endpointIdentification) {
        var parameters = tls.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setEndpointIdentificationAlgorithm(endpointIdentification);
        tls.setSSLParameters(parameters);
    }

    @Override
    public String toString() {
        return "TcpTls[" + PROTOCOL + (serverName == null ? "" : ", server name " + serverName) + "]";
    }
}
