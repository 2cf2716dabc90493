package dev.parley.transport.tcp;

import dev.parley.transport.Connection;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest.Peer;
import dev.parley.transport.TransportConformanceTest.Server;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.parley.transport.TransportConformanceTest.AWAIT;
import static dev.parley.transport.TransportConformanceTest.awaitTrue;
import static dev.parley.transport.TransportConformanceTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What TLS adds to the TCP transport: the session it negotiates, the certificates and names a
 * client checks, and the peers a listener cuts off (plaintext, TLS 1.2 only, silent, trickling)
 * while it goes on serving everyone else. Certificates are made by keytool and read from PEM files.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpTlsTest {

    private static final TransportOptions OPTIONS = TransportOptions.defaults().toBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(3))
            .build();
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /**
     * The server's whole-handshake deadline in the tests that wait for it: short, yet long enough
     * for a legitimate client's handshake on a slow, loaded CI machine.
     */
    private static final Duration SHORT_HANDSHAKE_TIMEOUT = Duration.ofMillis(1500);

    private static SelfSignedCertificate loopback;
    private static SelfSignedCertificate stranger;
    private static SelfSignedCertificate elsewhere;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void makeCertificates(@TempDir Path directory) throws IOException {
        loopback = SelfSignedCertificate.forLoopback(directory);
        stranger = SelfSignedCertificate.create(directory, "stranger", "EC", SelfSignedCertificate.LOOPBACK_NAMES);
        elsewhere = SelfSignedCertificate.create(directory, "elsewhere", "EC", "dns:elsewhere.example");
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void echoesOverTls13AndShowsTheSessionOnBothSides() throws Exception {
        var server = Server.echoing();
        var listener = listen(loopback, OPTIONS, server);
        var client = new Peer();

        Connection connection = connect(trusting(loopback), listener.localAddress(), client);
        connection.send(text("hello over TLS"));

        assertThat(client.take(1)).containsExactly(text("hello over TLS"));
        var clientSession = TcpTls.session(connection).orElseThrow();
        assertThat(clientSession.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(clientSession.getCipherSuite()).startsWith("TLS_");
        assertThat(clientSession.getPeerCertificates()[0]).isEqualTo(certificateIn(loopback.certificate()));
        Connection serverSide = server.next().opened.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(TcpTls.session(serverSide).orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(TcpTls.session(serverSide).orElseThrow().getCipherSuite()).isEqualTo(clientSession.getCipherSuite());
    }

    @Test
    void showsNoSessionForAPlainConnection() throws Exception {
        var plain = TcpTransport.create(OPTIONS);
        var listener = plain.listen(LOOPBACK, Server.echoing());
        resources.add(listener);

        assertThat(TcpTls.session(connect(plain, listener.localAddress(), new Peer()))).isEmpty();
    }

    @Test
    void acceptsTheServerByNameWhenItsCertificateNamesLocalhost() throws Exception {
        InetAddress localhost = InetAddress.getByName("localhost");
        var listener = presenting(loopback, OPTIONS).listen(new InetSocketAddress(localhost, 0), Server.echoing());
        resources.add(listener);
        var client = new Peer();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();

        connect(trusting(loopback), new InetSocketAddress("localhost", port), client).send(text("by name"));

        assertThat(client.take(1)).containsExactly(text("by name"));
    }

    @Test
    void refusesAServerWhoseCertificateItDoesNotTrustAndTheServerServesOthers() throws Exception {
        var listener = listen(loopback, OPTIONS, Server.echoing());

        assertThatThrownBy(() -> connect(trusting(stranger), listener.localAddress(), new Peer()))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageStartingWith("TLS handshake with /127.0.0.1:")
                .hasMessageContaining("the server's certificate is not trusted")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "sun.security"));
        assertServes(listener);
    }

    @Test
    void refusesAServerWhoseCertificateDoesNotNameTheHostItConnectsTo() throws Exception {
        var listener = listen(elsewhere, OPTIONS, Server.echoing());

        assertThatThrownBy(() -> connect(trusting(elsewhere), listener.localAddress(), new Peer()))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("the server's certificate was refused")
                .hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> connect(TcpTransport.create(OPTIONS,
                TcpTls.client(loopback.certificate()).withServerName("elsewhere.example")),
                listen(loopback, OPTIONS, Server.echoing()).localAddress(), new Peer()))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("elsewhere.example");
    }

    @Test
    void checksTheCertificateAgainstTheServerNameItWasGivenInsteadOfTheAddress() throws Exception {
        var listener = listen(elsewhere, OPTIONS, Server.echoing());
        var client = new Peer();
        var tls = TcpTls.client(elsewhere.certificate()).withServerName("elsewhere.example");

        connect(TcpTransport.create(OPTIONS, tls), listener.localAddress(), client).send(text("through a tunnel"));

        assertThat(client.take(1)).containsExactly(text("through a tunnel"));
    }

    @Test
    void cutsOffAPlaintextClientBeforeItReachesTheHandlerAndServesTheOthers() throws Exception {
        var server = Server.echoing();
        var listener = listen(loopback, OPTIONS, server);

        Connection plaintext = connect(TcpTransport.create(OPTIONS), listener.localAddress(), new Peer());
        plaintext.send(text("hello in the clear"));

        assertThat(plaintext.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).isGraceful()).isFalse();
        assertThat(server.accepted).isEmpty();
        assertServes(listener);
    }

    @Test
    void saysSoInOneLineWhenTheServerDoesNotSpeakTls() throws Exception {
        var plain = TcpTransport.create(OPTIONS).listen(LOOPBACK, Server.echoing());
        resources.add(plain);

        assertThatThrownBy(() -> connect(trusting(loopback), plain.localAddress(), new Peer()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("TLS handshake")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void refusesAClientThatOffersOnlyTls12AndServesTheOthers() throws Exception {
        var listener = listen(loopback, OPTIONS, Server.echoing());
        var address = (InetSocketAddress) listener.localAddress();
        var tls12 = (SSLSocket) loopback.presentingAndTrustingItself().getSocketFactory()
                .createSocket(address.getAddress(), address.getPort());
        resources.add(tls12);
        tls12.setEnabledProtocols(new String[] {"TLSv1.2"});
        tls12.setSoTimeout((int) AWAIT.toMillis());

        assertThatThrownBy(tls12::startHandshake).isInstanceOf(SSLHandshakeException.class);
        assertServes(listener);
    }

    @Test
    void refusesAServerThatOffersOnlyTls12InOneLine() throws Exception {
        var tls12 = (SSLServerSocket) loopback.presentingAndTrustingItself().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        resources.add(tls12);
        tls12.setEnabledProtocols(new String[] {"TLSv1.2"});
        Thread.ofVirtual().start(() -> {
            try (var accepted = (SSLSocket) tls12.accept()) {
                accepted.startHandshake();
            } catch (IOException expected) {
                // The client refuses TLS 1.2.
            }
        });

        assertThatThrownBy(() -> connect(trusting(loopback), tls12.getLocalSocketAddress(), new Peer()))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageStartingWith("TLS handshake with /127.0.0.1:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void acceptsTheServerByItsIpv6AddressWhenItsCertificateNamesIt() throws Exception {
        var ipv6Loopback = new InetSocketAddress("::1", 0);
        Listener listener;
        try {
            listener = presenting(loopback, OPTIONS).listen(ipv6Loopback, Server.echoing());
        } catch (IOException e) {
            assumeTrue(false, "::1 cannot be bound on this machine");
            return;
        }
        resources.add(listener);
        var client = new Peer();

        connect(trusting(loopback), listener.localAddress(), client).send(text("over IPv6"));

        assertThat(client.take(1)).containsExactly(text("over IPv6"));
    }

    @Test
    void resetsAClientThatNeverHandshakesAtTheConnectTimeoutAndServesOthersMeanwhile() throws Exception {
        var options = OPTIONS.toBuilder().connectTimeout(SHORT_HANDSHAKE_TIMEOUT).maxConnections(2).build();
        var listener = listen(loopback, options, Server.echoing());
        Socket silent = rawConnection(listener);

        // The silent client holds one of the two places; the other still serves while it waits.
        Connection first = assertServes(listener);

        assertThat(endsWithin(silent, AWAIT)).as("the silent client is cut off").isTrue();
        // Its place is free again once its handshake thread has given it back: a second client
        // fits beside the first.
        awaitTrue("a second client is admitted beside the first", () -> admitsAnotherClient(listener));
        assertThat(first.isOpen()).isTrue();
    }

    @Test
    void resetsAClientTricklingItsHandshakeAtTheConnectTimeout() throws Exception {
        var options = OPTIONS.toBuilder().connectTimeout(SHORT_HANDSHAKE_TIMEOUT).build();
        var listener = listen(loopback, options, Server.echoing());
        Socket trickler = rawConnection(listener);
        var out = trickler.getOutputStream();
        // A TLS handshake record announcing 16,000 bytes, then one byte every 50 ms: no single
        // read ever waits long, so only a deadline for the whole handshake stops it.
        out.write(new byte[] {0x16, 0x03, 0x01, 0x3e, (byte) 0x80});
        boolean cutOff = false;
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!cutOff && System.nanoTime() < deadline) {
            try {
                out.write(0x01);
                out.flush();
                Thread.sleep(50);
            } catch (SocketException e) {
                cutOff = true;
            }
        }

        assertThat(cutOff).as("the trickling client is cut off").isTrue();
        assertServes(listener);
    }

    @Test
    void resetsTheHandshakesUnderWayWhenTheListenerCloses() throws Exception {
        var options = OPTIONS.toBuilder().connectTimeout(AWAIT.multipliedBy(3)).build();
        var listener = listen(loopback, options, Server.echoing());
        Socket silent = rawConnection(listener);
        assertServes(listener);

        listener.close();

        assertThat(endsWithin(silent, AWAIT)).as("the silent client is cut off").isTrue();
    }

    @Test
    void givesUpOnAServerThatNeverHandshakesAfterTheConnectTimeout() throws Exception {
        var mute = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        resources.add(mute);
        var options = OPTIONS.toBuilder().connectTimeout(Duration.ofMillis(300)).build();
        var client = TcpTransport.create(options, TcpTls.client(loopback.certificate()));

        assertThatThrownBy(() -> client.connect(mute.getLocalSocketAddress(), new Peer()))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("TLS handshake with")
                .hasMessageContaining("did not finish within the connect timeout of PT0.3S");
    }

    @Test
    void servesWithAnRsaKeyToo(@TempDir Path directory) throws Exception {
        var rsa = SelfSignedCertificate.create(directory, "rsa", "RSA", SelfSignedCertificate.LOOPBACK_NAMES);
        var listener = listen(rsa, OPTIONS, Server.echoing());
        var client = new Peer();

        connect(trusting(rsa), listener.localAddress(), client).send(text("signed with RSA"));

        assertThat(client.take(1)).containsExactly(text("signed with RSA"));
    }

    private Listener listen(SelfSignedCertificate certificate, TransportOptions options, Server server) throws IOException {
        var listener = presenting(certificate, options).listen(LOOPBACK, server);
        resources.add(listener);
        return listener;
    }

    /** A transport presenting {@code certificate}'s PEM files, as a server is configured. */
    private static Transport presenting(SelfSignedCertificate certificate, TransportOptions options) throws IOException {
        return TcpTransport.create(options, TcpTls.server(certificate.certificate(), certificate.privateKey()));
    }

    /** A transport trusting only {@code certificate}'s PEM file, as a client is configured. */
    private static Transport trusting(SelfSignedCertificate certificate) throws IOException {
        return TcpTransport.create(OPTIONS, TcpTls.client(certificate.certificate()));
    }

    private Connection connect(Transport transport, SocketAddress address, Peer peer) throws IOException {
        Connection connection = transport.connect(address, peer);
        resources.add(connection);
        return connection;
    }

    /** A client trusting the loopback certificate still gets its frames echoed. */
    private Connection assertServes(Listener listener) throws Exception {
        var client = new Peer();
        Connection connection = connect(trusting(loopback), listener.localAddress(), client);
        connection.send(text("still served"));
        assertThat(client.take(1)).containsExactly(text("still served"));
        return connection;
    }

    private boolean admitsAnotherClient(Listener listener) {
        try {
            assertServes(listener);
            return true;
        } catch (ConnectException refusedAtTheCap) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Socket rawConnection(Listener listener) throws IOException {
        var socket = new Socket();
        resources.add(socket);
        socket.connect(listener.localAddress());
        return socket;
    }

    /** Whether the server ends {@code socket} (end of stream or reset) within {@code limit}. */
    private static boolean endsWithin(Socket socket, Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    private static Certificate certificateIn(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
