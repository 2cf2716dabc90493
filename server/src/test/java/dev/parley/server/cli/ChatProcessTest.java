package dev.parley.server.cli;

import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code parley chat} as a user's script runs it: a separate JVM whose standard input is a pipe,
 * talking to a server over real TCP on loopback.
 */
class ChatProcessTest {

    private final Transport tcp = Transport.byName("tcp");
    private ImServer server;
    private ScriptedClient bob;
    private Process chat;

    @BeforeEach
    void startServerWithBobOnline() throws Exception {
        server = ImServer.start(tcp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build());
        bob = ScriptedClient.connect(tcp, server.localAddress(), "bob");
        bob.register("online");
    }

    @AfterEach
    void stop() {
        if (chat != null) {
            chat.destroyForcibly();
        }
        bob.close();
        server.close();
    }

    @Test
    void runsAScriptPipedIntoItsStandardInput() throws Exception {
        chat = startChat("alice");
        try (OutputStream stdin = chat.getOutputStream()) {
            type(stdin, "/invite bob");
            long conversation = bob.await(Invitation.class).conversationId();
            bob.client().join(conversation);
            bob.sync();
            type(stdin, "/say 1 hello through a pipe");
            type(stdin, "/quit");
        }

        assertThat(chat.waitFor(30, TimeUnit.SECONDS)).as("chat exited").isTrue();
        assertThat(chat.exitValue()).isZero();
        assertThat(lines(chat)).containsSubsequence(
                "registered as alice",
                "invited 1 by alice",
                "message 1 #1 alice: hello through a pipe");
        assertThat(bob.await(Message.class)).extracting(Message::sequence, Message::sender, Message::text)
                .containsExactly(1L, "alice", "hello through a pipe");
    }

    @Test
    void saysSoAndExitsNonZeroWhenTheServerGoesAway() throws Exception {
        chat = startChat("alice");
        var out = new BufferedReader(new InputStreamReader(chat.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("registered as alice");

        server.close();

        assertThat(chat.waitFor(30, TimeUnit.SECONDS)).as("chat exited").isTrue();
        assertThat(chat.exitValue()).isEqualTo(ParleyCommand.DISCONNECTED);
        assertThat(out.lines().toList()).anyMatch(line -> line.startsWith("disconnected: "));
    }

    private static void type(OutputStream stdin, String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private Process startChat(String user) throws IOException {
        var address = (InetSocketAddress) server.localAddress();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ParleyCommand.class.getName(), "chat", "--user", user, "--transport", "tcp", "--reconnect-attempts", "2",
                "--server", address.getHostString() + ":" + address.getPort())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static List<String> lines(Process process) throws IOException {
        try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        }
    }
}
