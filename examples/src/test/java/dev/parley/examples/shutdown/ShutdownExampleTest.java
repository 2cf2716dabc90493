package dev.parley.examples.shutdown;

import dev.parley.Server;
import dev.parley.examples.ExampleRun;
import dev.parley.examples.OverEachTransport;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownExampleTest {

    private static final int CLIENTS = 10;

    @OverEachTransport
    void everyClientHearsWhyThenSeesAGracefulClose(String transport) throws Exception {
        var chosen = Transport.byName(transport);
        var allConnected = new CountDownLatch(CLIENTS);
        Server server = ShutdownServer.endpoint(client -> allConnected.countDown())
                .listen(chosen, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<ShutdownClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(ShutdownClient.connect(chosen, server.localAddress()));
        }
        assertThat(allConnected.await(20, TimeUnit.SECONDS)).isTrue();

        int told = ShutdownServer.shutDown(server, "maintenance at noon");

        assertThat(told).isEqualTo(CLIENTS);
        for (ShutdownClient client : clients) {
            assertThat(client.notice().get(20, TimeUnit.SECONDS)).isEqualTo(new ShuttingDown("maintenance at noon"));
            ConnectionClosedException cause = client.closed().get(20, TimeUnit.SECONDS);
            assertThat(cause.isGraceful()).as(cause.getMessage()).isTrue();
        }
    }

    @OverEachTransport
    void serverCommandTellsItsClientsWhenStopped(String transport) throws Exception {
        try (var server = ExampleRun.start("", "shutdown-server", "--transport", transport, "--port", "0",
                "--reason", "going home")) {
            String address = server.awaitServer();
            var first = ExampleRun.start("", "shutdown-client", "--transport", transport, "--server", address);
            var second = ExampleRun.start("", "shutdown-client", "--transport", transport, "--server", address);
            server.awaitLine(line -> line.startsWith("client connected from "));
            server.awaitLine(line -> line.startsWith("client connected from "));

            var stopped = server.stop();

            assertThat(stopped.exitCode()).isZero();
            assertThat(stopped.outLines()).contains("told 2 clients: going home");
            for (var client : List.of(first, second)) {
                var result = client.finish();
                assertThat(result.exitCode()).as(result.err()).isZero();
                assertThat(result.outLines()).endsWith("the server is going down: going home",
                        "connection closed gracefully (CLOSED_BY_PEER)");
            }
        }
    }
}
