package dev.parley.chaos.im;

import dev.parley.im.ImClient;
import dev.parley.im.ReconnectPolicy;
import dev.parley.server.cli.ServerProcess;
import dev.parley.server.store.RedisFixture;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node kill: three {@code parley server} nodes in child JVMs on one real Redis, six
 * clients two to a node, two conversations each with a member on every node, every client sending
 * numbered messages; the node of two senders is killed as by {@code kill -9} a third of the way
 * through. Its clients fail over to the other nodes and resume. The history checker must find every
 * acknowledged message delivered to every member once, in the conversation's one order; a client
 * that could not fail over must go offline on the surviving nodes (no zombie presence); and the
 * killed node, started again under its name, rejoins: a user who signs in on it sees everyone, and
 * everyone sees them.
 */
class ImClusterNodeKillTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    private static final int MESSAGES_PER_SENDER = 300;
    private static final int WINDOW = 16;
    /** Short, so that the killed node's users who did not fail over go offline soon. */
    private static final String LEASE = "2s";
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final ReconnectPolicy FAIL_OVER = new ReconnectPolicy(10_000, Duration.ofMillis(20),
            Duration.ofMillis(500));
    private static final List<String> USERS = List.of("alice", "bob", "carol", "dave", "erin", "frank");

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final NumberedTraffic traffic = new NumberedTraffic(MESSAGES_PER_SENDER, WINDOW);
    private final Map<String, ImClient> clients = new ConcurrentHashMap<>();

    @AfterEach
    void killAndCloseEverything() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void losesNothingAcceptedWhenANodeIsKilledAndItsClientsFailOverAndTheNodeRejoinsAfter() throws Exception {
        List<ServerProcess> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(startNode(i, 0));
        }
        List<SocketAddress> addresses = nodes.stream()
                .<SocketAddress>map(node -> new InetSocketAddress("127.0.0.1", node.port())).toList();
        Transport tcp = Transport.byName("tcp");
        // Two users to a node (alice and bob on node 0), each trying the other nodes after its own; ghost
        // knows node 0 alone and does not reconnect.
        for (int i = 0; i < USERS.size(); i++) {
            int home = i / 2;
            List<SocketAddress> inTurn = List.of(addresses.get(home), addresses.get((home + 1) % 3),
                    addresses.get((home + 2) % 3));
            signIn(USERS.get(i), ImClient.connect(tcp, inTurn, traffic.recorder(USERS.get(i)), FAIL_OVER));
        }
        signIn("ghost", ImClient.connect(tcp, List.of(addresses.getFirst()), traffic.recorder("ghost"), ReconnectPolicy.NEVER));
        Set<String> everyone = new HashSet<>(USERS);
        everyone.add("ghost");
        awaitEveryoneSees(USERS, everyone);

        // alice (node 0) with carol (node 1) and erin (node 2); bob (node 0) with dave (node 1) and frank (node 2).
        long first = traffic.conversation(clients.get("alice"), Map.of("carol", clients.get("carol"),
                "erin", clients.get("erin")));
        long second = traffic.conversation(clients.get("bob"), Map.of("dave", clients.get("dave"),
                "frank", clients.get("frank")));
        Map<Long, List<String>> members = Map.of(first, List.of("alice", "carol", "erin"),
                second, List.of("bob", "dave", "frank"));
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        members.forEach((conversation, names) -> names.forEach(
                name -> senders.add(traffic.sendAll(clients.get(name), name, conversation))));

        long total = (long) MESSAGES_PER_SENDER * USERS.size();
        Eventually.await(() -> traffic.acknowledged() >= total / 3 || traffic.failure() != null, PATIENCE,
                total / 3 + " messages acknowledged");
        nodes.getFirst().kill();

        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(traffic.failure()).as("a send failed").isNull();
        assertThat(traffic.reconnections()).as("alice and bob failed over").isGreaterThanOrEqualTo(2);
        assertThat(traffic.acknowledged()).isEqualTo(total);
        traffic.assertEveryMemberGetsEveryMessageOnceInOrder(members, PATIENCE);
        awaitEveryoneSees(USERS, Set.copyOf(USERS));

        startNode(0, nodes.getFirst().port());
        signIn("grace", ImClient.connect(tcp, List.of(addresses.getFirst()), traffic.recorder("grace"), FAIL_OVER));
        everyone = new HashSet<>(USERS);
        everyone.add("grace");
        List<String> watchers = new ArrayList<>(USERS);
        watchers.add("grace");
        awaitEveryoneSees(watchers, everyone);
        try (var store = RedisStore.open(redis.address(), StoreOptions.defaults())) {
            assertThat(store.liveNodes()).containsExactlyInAnyOrder("node0", "node1", "node2");
        }
    }

    /** Starts node {@code index} on {@code port} (0: any free one). */
    private ServerProcess startNode(int index, int port) throws Exception {
        ServerProcess server = ServerProcess.start(List.of("--store", "redis://" + redis.address().hostAndPort(),
                "--node-id", "node" + index, "--node-lease", LEASE, "--transport", "tcp", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--rate", "0"));
        opened.add(server);
        return server;
    }

    private void signIn(String name, ImClient client) throws Exception {
        opened.add(client);
        client.register(name, "online").get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        clients.put(name, client);
    }

    /** Waits until each of {@code watchers} is told that exactly {@code online} are online. */
    private void awaitEveryoneSees(List<String> watchers, Set<String> online) {
        for (String watcher : watchers) {
            Eventually.await(() -> traffic.onlineAt(watcher).equals(online), PATIENCE,
                    watcher + " is told that exactly " + online + " are online");
        }
    }
}
