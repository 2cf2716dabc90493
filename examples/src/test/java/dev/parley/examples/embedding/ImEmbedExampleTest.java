package dev.parley.examples.embedding;

import dev.parley.examples.ExampleRun;
import dev.parley.examples.OverEachTransport;
import dev.parley.im.Invitation;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class ImEmbedExampleTest {

    @OverEachTransport
    void joinsTheConversationItIsInvitedToAndPrintsItsMessages(String transport) throws Exception {
        var chosen = Transport.byName(transport);
        var server = ImServer.start(chosen, loopback(), ServerOptions.defaults());
        String address = "localhost:" + ((InetSocketAddress) server.localAddress()).getPort();
        try (server;
             var zoe = ExampleRun.start("", "im-embed", "--user", "zoe", "--server", address, "--transport", transport);
             var bob = ScriptedClient.connect(chosen, server.localAddress(), "bob")) {
            zoe.awaitLine(line -> line.equals("zoe is online, waiting for invitations"));
            bob.register("online");
            bob.client().invite("zoe");
            long id = bob.await(Invitation.class).conversationId();
            assertThat(zoe.awaitLine(line -> line.startsWith("joined conversation ")))
                    .isEqualTo("joined conversation " + id + " with [bob, zoe]");

            bob.client().send(id, "hello zoe");
            bob.client().send(id, "still there?");

            assertThat(zoe.awaitLine(line -> line.startsWith("["))).isEqualTo("[" + id + "] bob: hello zoe");
            assertThat(zoe.awaitLine(line -> line.startsWith("["))).isEqualTo("[" + id + "] bob: still there?");
            server.close();
            var result = zoe.finish();
            assertThat(result.exitCode()).isZero();
            assertThat(result.outLines().getLast()).startsWith("disconnected: ");
        }
    }

    @OverEachTransport
    void saysInOneLineThatTheNameIsTaken(String transport) throws Exception {
        var chosen = Transport.byName(transport);
        try (var server = ImServer.start(chosen, loopback(), ServerOptions.defaults());
             var zoe = ScriptedClient.connect(chosen, server.localAddress(), "zoe")) {
            zoe.register("online");
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            var run = ExampleRun.run("", "im-embed", "--user", "zoe", "--server", "localhost:" + port, "--transport", transport);

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()).singleElement().asString().startsWith("the server refused zoe: ").contains("taken");
        }
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
}
