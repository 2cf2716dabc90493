package dev.parley.server.cli;

import dev.parley.im.Invitation;
import dev.parley.server.ScriptedClient;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.tcp.SelfSignedCertificate;
import dev.parley.transport.tcp.TcpTls;
import dev.parley.transport.tcp.TcpTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code parley server --tls-cert --tls-key} and {@code parley chat --tls-trust}: a server in a JVM
 * of its own serving TLS with keytool-made PEM files, chats run in-process against it, and the
 * usage errors the flags can meet.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsCommandTest {

    /** How many lines the server may print before both where it listens and its open-server notice. */
    private static final int MAX_START_LINES = 20;
    private static final String LISTENING = "parley server listening on tcp ";
    private static final String NOTICE = "parley server: open server: ";

    @TempDir
    static Path directory;

    private static SelfSignedCertificate certificate;
    private static SelfSignedCertificate stranger;
    private static Process server;
    private static String address;
    private static final List<String> serverStartLines = new ArrayList<>();

    @BeforeAll
    static void startATlsServer() throws IOException {
        certificate = SelfSignedCertificate.forLoopback(directory);
        stranger = SelfSignedCertificate.create(directory, "stranger", "EC", SelfSignedCertificate.LOOPBACK_NAMES);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ParleyCommand.class.getName(), "server", "--store", "memory", "--transport", "tcp", "--host", "127.0.0.1", "--port", "0",
                "--tls-cert", certificate.certificate().toString(), "--tls-key", certificate.privateKey().toString())
                .redirectErrorStream(true)
                .start();
        var lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        while (!(startedWith(LISTENING) && startedWith(NOTICE)) && serverStartLines.size() < MAX_START_LINES) {
            String line = lines.readLine();
            assertThat(line).as("the server's output so far: " + serverStartLines).isNotNull();
            serverStartLines.add(line);
        }
        address = serverStartLines.stream().filter(l -> l.startsWith(LISTENING)).findFirst()
                .orElseThrow(() -> new AssertionError("no listening line in " + serverStartLines))
                .substring(LISTENING.length());
        // Nobody reads the server's log from here on; let it go nowhere rather than fill a pipe.
        Thread.ofVirtual().start(() -> drain(lines));
    }

    private static boolean startedWith(String prefix) {
        return serverStartLines.stream().anyMatch(line -> line.startsWith(prefix));
    }

    @AfterAll
    static void stopTheServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void saysAtStartUpThatTrafficIsEncrypted() {
        assertThat(serverStartLines).anySatisfy(line -> assertThat(line)
                .startsWith(NOTICE)
                .contains("traffic is encrypted with TLS 1.3"));
    }

    @Test
    void chatsOverTlsWithTheServersCertificateTrusted() throws Exception {
        var transport = TcpTransport.create(TransportOptions.defaults(), TcpTls.client(certificate.certificate()));
        try (var bob = ScriptedClient.connect(transport, Addresses.parse(address, 0), "bob")) {
            bob.register("online");

            var run = CommandRun.run("/invite bob\n/say 1 hello over TLS\n/quit\n",
                    "chat", "--user", "alice", "--server", address, "--tls-trust", certificate.certificate().toString());

            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isZero();
            assertThat(run.outLines()).containsSubsequence(
                    "registered as alice", "invited 1 by alice", "message 1 #1 alice: hello over TLS");
            assertThat(bob.await(Invitation.class)).isEqualTo(new Invitation(1, "alice"));
        }
    }

    @Test
    void refusesAServerWhoseCertificateTheChatDoesNotTrustInOneLine() {
        var run = CommandRun.run("/quit\n",
                "chat", "--user", "carol", "--server", address, "--tls-trust", stranger.certificate().toString());

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("cannot reach the server at " + address + " over tcp: TLS handshake with ")
                .contains("the server's certificate is not trusted");
    }

    @Test
    void aChatWithoutTlsDoesNotGetInAndTheServerServesOthers() throws Exception {
        var run = CommandRun.run("/quit\n", "chat", "--user", "dave", "--server", address);

        // Plain TCP connects; the server then cuts it off at its first bytes, which are not TLS.
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ParleyCommand.DISCONNECTED);
        assertThat(run.outLines()).doesNotContain("registered as dave")
                .anySatisfy(line -> assertThat(line).startsWith("disconnected: "));
        var stillServed = CommandRun.run("/quit\n",
                "chat", "--user", "erin", "--server", address, "--tls-trust", certificate.certificate().toString());
        assertThat(stillServed.exitCode()).isZero();
        assertThat(stillServed.outLines()).contains("registered as erin");
    }

    @Test
    void wantsBothTheCertificateAndTheKey() {
        var run = CommandRun.run("", "server", "--store", "memory", "--port", "0", "--tls-cert", certificate.certificate().toString());

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly("parley server: --tls-cert and --tls-key go together: give both or neither");
    }

    @Test
    void refusesTlsOverUdpOnBothSides() {
        var server = CommandRun.run("", "server", "--store", "memory", "--transport", "udp", "--port", "0",
                "--tls-cert", certificate.certificate().toString(), "--tls-key", certificate.privateKey().toString());
        var chat = CommandRun.run("", "chat", "--user", "alice", "--transport", "udp",
                "--tls-trust", certificate.certificate().toString());

        String tcpOnly = ": TLS works over --transport tcp only, not udp; SECURITY.md says what protects udp";
        assertThat(server.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(server.errLines()).containsExactly("parley server" + tcpOnly);
        assertThat(chat.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(chat.errLines()).containsExactly("parley chat" + tcpOnly);
    }

    @Test
    void namesAFileThatDoesNotExistInOneLine() {
        Path missing = directory.resolve("missing.pem");

        var server = CommandRun.run("", "server", "--store", "memory", "--port", "0",
                "--tls-cert", missing.toString(), "--tls-key", certificate.privateKey().toString());
        var chat = CommandRun.run("", "chat", "--user", "alice", "--tls-trust", missing.toString());

        assertThat(server.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(server.errLines()).containsExactly("parley server: TLS certificate file " + missing + " does not exist");
        assertThat(chat.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(chat.errLines()).containsExactly("parley chat: TLS trust file " + missing + " does not exist");
    }

    private static void drain(BufferedReader lines) {
        try {
            while (lines.readLine() != null) {
                // Discarded: the server's connection log.
            }
        } catch (IOException e) {
            // The server stopped.
        }
    }
}
