package dev.parley.server.cli;

import dev.parley.server.Eventually;
import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code parley server --keepalive} and {@code --idle-timeout} reach the server's transport: a
 * server process started with short ones keeps a quiet client told that it is alive, and closes a
 * client that sends nothing. The client here sends nothing, not even keepalives, and never times
 * out itself.
 */
class ServerTimeoutsProcessTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final TransportOptions SILENT = TransportOptions.defaults().toBuilder()
            .idleTimeout(Duration.ZERO).keepAliveInterval(Duration.ZERO).build();

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void sendsKeepalivesAtTheIntervalAsked() throws Exception {
        Connection connection = connect("tcp", "--keepalive", "200ms", "--idle-timeout", "0");

        // The default interval, 15 s, would send none within the patience.
        Eventually.await(PATIENCE, "three keepalives from the server",
                () -> connection.stats().details().get("keepAlivesReceived") >= 3);
        assertThat(connection.isOpen()).as("the server never times a connection out with --idle-timeout 0").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp"})
    void closesAClientThatSentNothingForTheIdleTimeout(String transportName) throws Exception {
        Connection connection = connect(transportName, "--idle-timeout", "1s", "--keepalive", "200ms");

        // The default, 60 s, would outlast the patience.
        ConnectionClosedException cause = connection.closeFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(cause.reason()).as("how the server ended it: %s", cause).isIn(Reason.CLOSED_BY_PEER, Reason.RESET_BY_PEER);
    }

    private Connection connect(String transportName, String... timeouts) throws Exception {
        var arguments = new ArrayList<>(List.of("--store", "memory", "--transport", transportName,
                "--host", "127.0.0.1", "--port", "0"));
        arguments.addAll(List.of(timeouts));
        var server = ServerProcess.start(arguments);
        opened.add(server);
        Connection connection = Transport.byName(transportName, SILENT).connect(
                new InetSocketAddress("127.0.0.1", server.port()), new ConnectionHandler() {
                    @Override
                    public void onFrame(Connection connection, byte[] frame) {
                    }
                });
        opened.add(() -> connection.abort(new IllegalStateException("the test is over")));
        return connection;
    }
}
