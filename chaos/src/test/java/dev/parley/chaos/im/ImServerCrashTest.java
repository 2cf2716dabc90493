package dev.parley.chaos.im;

import dev.parley.im.ImClient;
import dev.parley.im.ReconnectPolicy;
import dev.parley.server.cli.ServerProcess;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test: an IM server in a child JVM on an SQLite data directory, four clients in
 * two conversations each sending numbered messages, the server killed as by {@code kill -9} three
 * times during the run and started again on the same directory and port. The clients reconnect by
 * themselves; the history checker must find every acknowledged message delivered to every member
 * once, in one dense order per conversation, nothing stored twice.
 */
class ImServerCrashTest {

    private static final int MESSAGES_PER_SENDER = 500;
    private static final int WINDOW = 32;
    private static final int KILLS = 3;
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    /** Short idle timeout over UDP, so that a client notices a killed server quickly; see {@link KilledServerClients}. */
    private static final TransportOptions OPTIONS = TransportOptions.defaults().toBuilder()
            .idleTimeout(Duration.ofMillis(1_500)).keepAliveInterval(Duration.ofMillis(300))
            .connectTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1)).build();
    private static final ReconnectPolicy POLICY = new ReconnectPolicy(10_000, Duration.ofMillis(20), Duration.ofMillis(500));

    @TempDir
    Path data;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final NumberedTraffic traffic = new NumberedTraffic(MESSAGES_PER_SENDER, WINDOW);

    @AfterEach
    void killAndCloseEverything() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp"})
    void loosesNothingAcceptedThroughThreeKillsAndEveryMemberGetsEveryMessageOnceInOneOrder(String transportName)
            throws Exception {
        ServerProcess server = start(transportName, 0);
        int port = server.port();
        var address = new InetSocketAddress("127.0.0.1", port);
        Transport transport = Transport.byName(transportName, KilledServerClients.options(transportName, OPTIONS));
        Map<String, ImClient> clients = new ConcurrentHashMap<>();
        for (String name : List.of("alice", "bob", "carol", "dave")) {
            ImClient client = ImClient.connect(transport, List.of(address), traffic.recorder(name), POLICY);
            opened.add(client);
            client.register(name, "online").get(30, TimeUnit.SECONDS);
            clients.put(name, client);
        }
        long first = traffic.conversation(clients.get("alice"), Map.of("bob", clients.get("bob")));
        long second = traffic.conversation(clients.get("carol"), Map.of("dave", clients.get("dave")));
        Map<String, Long> conversationOf = Map.of("alice", first, "bob", first, "carol", second, "dave", second);

        List<CompletableFuture<Void>> senders = new ArrayList<>();
        conversationOf.forEach((name, conversation) -> senders.add(traffic.sendAll(clients.get(name), name, conversation)));
        long total = (long) MESSAGES_PER_SENDER * conversationOf.size();
        for (int kill = 1; kill <= KILLS; kill++) {
            long threshold = total * kill / (KILLS + 1);
            Eventually.await(() -> traffic.acknowledged() >= threshold || traffic.failure() != null, PATIENCE,
                    threshold + " messages acknowledged");
            server.kill();
            server = start(transportName, port);
        }
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(traffic.failure()).as("a send failed").isNull();
        assertThat(traffic.reconnections()).as("each kill made clients reconnect").isGreaterThanOrEqualTo(KILLS);
        assertThat(traffic.acknowledged()).isEqualTo(total);
        Map<Long, List<String>> members = Map.of(first, List.of("alice", "bob"), second, List.of("carol", "dave"));
        traffic.assertEveryMemberGetsEveryMessageOnceInOrder(members, PATIENCE);
    }

    private ServerProcess start(String transportName, int port) throws Exception {
        ServerProcess server = ServerProcess.start(List.of("--transport", transportName, "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--store", "sqlite", "--data", data.toString(), "--rate", "0",
                "--keepalive", KilledServerClients.SERVER_KEEPALIVE));
        opened.add(server);
        return server;
    }
}
