package dev.parley.server.cli;

import dev.parley.im.Invitation;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code parley chat} driven through its standard input, in-process, against a server over the memory transport. */
class ChatCommandTest {

    private final Transport memory = Transport.byName("memory");
    private ImServer server;
    private ScriptedClient bob;

    @BeforeEach
    void startServerWithBobOnline() throws Exception {
        // Changes to the online list sent at once: a piped script then sees its own status change before it exits.
        server = ImServer.start(memory, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).presenceDelay(Duration.ZERO).build());
        bob = ScriptedClient.connect(memory, server.localAddress(), "bob");
        bob.register("online");
    }

    @AfterEach
    void stop() {
        bob.close();
        server.close();
    }

    @Test
    void runsPipedCommandsPrintsOneLinePerEventAndSaysGoodbyeAtTheEndOfInput() {
        String script = """
                /invite bob
                /say 1 hello bob
                /history 1
                /list
                /status be right back

                /join 99
                /dance
                /join x
                """;

        var run = chat(script, "--user", "alice");

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsSubsequence(
                "registered as alice",
                "online alice=online bob=online",
                "invited 1 by alice",
                "history 1 kept 1-1: 1 messages",
                "message 1 #1 alice: hello bob",
                "conversations 1=[alice]",
                "online +alice=\"be right back\"",
                "error Join: unknown conversation 99");
        assertThat(run.outLines()).contains(
                "invalid: unknown command /dance; /help lists them",
                "invalid: usage: /join ID");
        assertThat(run.err()).isEmpty();
        assertThat(bob.await(Invitation.class)).isEqualTo(new Invitation(1, "alice"));
        bob.awaitOnline(online -> online.equals(Map.of("bob", "online")));
    }

    @Test
    void listsTheCommandsOnHelpAndStopsAtQuit() {
        var run = chat("/help\n/quit\n/say 1 never sent\n", "--user", "alice");

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsAll(ChatLineParser.help());
        assertThat(run.out()).doesNotContain("never sent");
    }

    @Test
    void exitsWithOneWhenTheNameIsTaken() {
        var run = chat("", "--user", "BOB");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(run.outLines()).containsExactly("error Register: username BOB is taken");
    }

    @Test
    void exitsWithTwoAndOneClearLineWhenTheServerIsUnreachable() throws Exception {
        var gone = ImServer.start(memory, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.defaults());
        String address = Addresses.format(gone.localAddress());
        gone.close();

        var run = CommandRun.run("", "chat", "--user", "alice", "--transport", "memory", "--server", address);

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("cannot reach the server at " + address + " over memory: ");
    }

    @Test
    void passesOverANodeThatDoesNotAnswerToTheNextOneGiven() throws Exception {
        var gone = ImServer.start(memory, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.defaults());
        String goneAddress = Addresses.format(gone.localAddress());
        gone.close();

        var run = CommandRun.run("/quit\n", "chat", "--user", "alice", "--transport", "memory",
                "--server", goneAddress + "," + Addresses.format(server.localAddress()));

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).contains("registered as alice");
    }

    @Test
    void namesEveryNodeGivenWhenNoneAnswers() throws Exception {
        var gone = ImServer.start(memory, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.defaults());
        String first = Addresses.format(gone.localAddress());
        gone.close();

        var run = CommandRun.run("", "chat", "--user", "alice", "--transport", "memory", "--server", first + "," + first);

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("cannot reach the server at " + first + "," + first + " over memory: ");
    }

    @Test
    void exitsWithThreeAndSaysSoWhenTheServerGoesAwayAndDoesNotComeBackWithinItsAttempts() throws Exception {
        try (var alice = new TypedChat("alice")) {
            alice.out.await(line -> line.equals("registered as alice"));

            server.close();

            assertThat(alice.out.await(line -> line.startsWith("reconnecting: "))).contains("CLOSED_BY_PEER");
            assertThat(alice.out.await(line -> line.startsWith("disconnected: ")))
                    .isEqualTo("disconnected: CLOSED_BY_PEER: could not get back to the server in 2 attempts");
            assertThat(alice.exitCode.get(30, TimeUnit.SECONDS)).isEqualTo(ParleyCommand.DISCONNECTED);
        }
    }

    @Test
    void saysWhenItLosesTheServerAndWhenItIsBackThenCarriesOn() throws Exception {
        var address = server.localAddress();
        try (var alice = new TypedChat("alice", 1_000)) {
            alice.out.await(line -> line.equals("registered as alice"));

            server.close();
            alice.out.await(line -> line.startsWith("reconnecting: lost the server: "));
            server = ImServer.start(memory, address, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build());
            alice.out.await(line -> line.equals("reconnected"));
            try (var zoe = ScriptedClient.connect(memory, address, "zoe")) {
                zoe.register("online");
                zoe.client().invite("alice");
                alice.out.await(line -> line.startsWith("invited 1 by zoe"));
            }
            alice.typing.close();

            assertThat(alice.exitCode.get(30, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void printsEachChangeToTheOnlineListItHasNotSeenAndNothingForARestatement() throws Exception {
        try (var alice = new TypedChat("alice")) {
            alice.out.await(line -> line.equals("online alice=online bob=online"));

            bob.client().status("away");
            alice.out.await(line -> line.equals("online +bob=away"));
            try (var carol = ScriptedClient.connect(memory, server.localAddress(), "carol")) {
                carol.register("online");
                alice.out.await(line -> line.equals("online +carol=online"));
                carol.client().goodbye();
            }
            alice.out.await(line -> line.equals("online -carol"));
            alice.typing.close();

            assertThat(alice.exitCode.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(alice.out.text().lines().filter(line -> line.startsWith("online ")))
                    .as("alice's own registration, restated after her snapshot, prints nothing")
                    .containsExactly("online alice=online bob=online", "online +bob=away", "online +carol=online",
                            "online -carol");
        }
    }

    @Test
    void refusesAnUnknownTransportInOneLine() {
        var run = CommandRun.run("", "chat", "--user", "alice", "--transport", "carrier-pigeon");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).singleElement().asString().contains("no transport named 'carrier-pigeon'");
    }

    /** A {@code parley chat} as {@code username} on a thread of its own, its input typed as the test goes. */
    private final class TypedChat implements AutoCloseable {
        final PipedOutputStream typing = new PipedOutputStream();
        final LineQueue out = new LineQueue();
        final CompletableFuture<Integer> exitCode;
        private final ExecutorService executor = Executors.newSingleThreadExecutor();

        /** Trying twice to get back to a lost server. */
        TypedChat(String username) throws IOException {
            this(username, 2);
        }

        TypedChat(String username, int reconnectAttempts) throws IOException {
            var input = new PipedInputStream(typing);
            exitCode = CompletableFuture.supplyAsync(() -> CommandRun.run(input, out, new StringWriter(), "chat",
                    "--user", username, "--transport", "memory", "--server", Addresses.format(server.localAddress()),
                    "--reconnect-attempts", "" + reconnectAttempts), executor);
        }

        @Override
        public void close() throws IOException {
            try (executor) {
                typing.close();
            }
        }
    }

    private CommandRun chat(String input, String... args) {
        var command = new ArrayList<>(List.of("chat", "--transport", "memory",
                "--server", Addresses.format(server.localAddress())));
        command.addAll(List.of(args));
        return CommandRun.run(input, command.toArray(String[]::new));
    }
}
