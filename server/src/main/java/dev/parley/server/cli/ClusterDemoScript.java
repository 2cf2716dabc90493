package dev.parley.server.cli;

import dev.parley.im.ImException;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.ReconnectPolicy;
import dev.parley.server.ScriptedClient;
import dev.parley.server.store.RedisProcess;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;

/**
 * What {@code parley demo --cluster} plays: a real {@code redis-server}, three {@code parley server}
 * nodes on it in child JVMs, and alice, bob and carol each on a node of their own, each knowing the
 * other nodes to fail over to. They see each other online, alice starts a conversation and everyone
 * talks; then alice sends numbered messages at once and her node is killed (SIGKILL, as
 * {@code kill -9}) while they are in flight. Her client reconnects to another node and sends again
 * what was not acknowledged; the transcript ends by checking that every member got every message
 * once, in one order. Prints in {@link Transcript}'s form; runs on the calling thread.
 */
final class ClusterDemoScript {

    private static final List<String> NODES = List.of("one", "two", "three");
    /** How many numbered messages alice sends at once, and after how many acknowledged her node is killed. */
    private static final int COUNTED = 10;
    private static final int KILLED_AFTER = 3;
    /** Short, so that the killed node's lease (and anything it held) expires within the demo. */
    private static final String LEASE = "2s";
    private static final ReconnectPolicy FAIL_OVER = new ReconnectPolicy(50, Duration.ofMillis(50), Duration.ofSeconds(1));

    private final Transport transport;
    private final Transcript transcript;
    private final List<ServerProcess> nodes = new ArrayList<>();

    ClusterDemoScript(Transport transport, PrintWriter out) {
        this.transport = transport;
        this.transcript = new Transcript(out);
    }

    /**
     * Plays the demo.
     *
     * @throws IOException if Redis, a node or a client cannot be started or reached
     * @throws IllegalStateException if a member did not get every message once, in order, or an awaited event did not come
     */
    void run() throws IOException, ImException, InterruptedException {
        try (var redis = RedisProcess.start()) {
            transcript.note("== demo --cluster over " + transport.name() + ": redis-server on 127.0.0.1:" + redis.port()
                    + " (append-only file, fsync always), nodes " + String.join(", ", NODES) + " ==");
            List<SocketAddress> addresses = new ArrayList<>();
            for (String node : NODES) {
                ServerProcess process = ServerProcess.start(List.of("--store", redis.address().toString(),
                        "--node-id", node, "--node-lease", LEASE, "--transport", transport.name(),
                        "--host", "127.0.0.1", "--port", "0", "--rate", "0"));
                nodes.add(process);
                addresses.add(new InetSocketAddress("127.0.0.1", process.port()));
                transcript.note("node " + node + " listens on 127.0.0.1:" + process.port() + " (pid " + process.pid() + ")");
            }
            try (var alice = client("alice", 0, addresses);
                 var bob = client("bob", 1, addresses);
                 var carol = client("carol", 2, addresses)) {
                play(alice, bob, carol);
            }
        } finally {
            for (ServerProcess node : nodes) {
                node.kill();
            }
        }
    }

    /** {@code name}'s client on node {@code home}, with the other nodes after it in turn. */
    private ScriptedClient client(String name, int home, List<SocketAddress> addresses) throws IOException {
        List<SocketAddress> inTurn = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            inTurn.add(addresses.get((home + i) % addresses.size()));
        }
        return ScriptedClient.connect(transport, inTurn, name, FAIL_OVER);
    }

    private void play(ScriptedClient alice, ScriptedClient bob, ScriptedClient carol)
            throws IOException, ImException, InterruptedException {
        List<ScriptedClient> everyone = List.of(alice, bob, carol);
        for (int i = 0; i < everyone.size(); i++) {
            transcript.does(everyone.get(i), "register " + everyone.get(i).username() + " online   (on node "
                    + NODES.get(i) + ")");
            everyone.get(i).register("online");
        }
        for (ScriptedClient client : everyone) {
            client.awaitOnline(online -> online.keySet().equals(Set.of("alice", "bob", "carol")));
            transcript.show(client, new OnlineUsers(client.online()));
        }

        long id = transcript.startConversation(alice, bob, carol);
        transcript.say(alice, id, "Hi both, from node one.", alice, bob, carol);
        transcript.say(bob, id, "Hello from node two.", alice, bob, carol);
        transcript.say(carol, id, "And from node three.", alice, bob, carol);

        transcript.does(alice, "/say " + id + " count 1   ... /say " + id + " count " + COUNTED + "   (all at once)");
        List<CompletableFuture<Long>> sends = new ArrayList<>();
        for (int i = 1; i <= COUNTED; i++) {
            sends.add(alice.client().send(id, "count " + i));
        }
        long firstCounted = acknowledged(sends.get(KILLED_AFTER - 1)) - KILLED_AFTER + 1;
        nodes.getFirst().kill();
        transcript.note("== node one, alice's node, killed with SIGKILL once " + KILLED_AFTER + " of her "
                + COUNTED + " messages were acknowledged ==");
        for (CompletableFuture<Long> send : sends) {
            acknowledged(send);
        }
        transcript.note("all " + COUNTED + " of alice's messages acknowledged");
        for (ScriptedClient member : everyone) {
            receivesEveryCountedMessageOnceInOrder(member, id, firstCounted);
        }
        transcript.say(bob, id, "Welcome back, alice.", alice, bob, carol);
        transcript.note("== nothing lost: every member got every message once, in one order, through a node killed "
                + "with SIGKILL ==");
        for (ScriptedClient client : everyone) {
            transcript.does(client, "/quit");
            client.client().goodbye();
        }
    }

    /** The sequence number the store gave {@code send}, once acknowledged. */
    private static long acknowledged(CompletableFuture<Long> send) throws InterruptedException {
        try {
            return send.get(ScriptedClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a message of alice's was refused: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("a message of alice's was not acknowledged within " + ScriptedClient.TIMEOUT, e);
        }
    }

    /**
     * Takes {@code member}'s messages in conversation {@code id} up to alice's last counted one,
     * shows them as one line, and throws unless they are every counted message once, in order,
     * numbered from {@code first} on.
     */
    private void receivesEveryCountedMessageOnceInOrder(ScriptedClient member, long id, long first) {
        String last = "count " + COUNTED;
        List<Message> received = new ArrayList<>();
        // Bounded: each await gives up after ScriptedClient.TIMEOUT, and alice sent COUNTED messages.
        while (received.isEmpty() || !received.getLast().text().equals(last)) {
            received.add(member.await(Message.class, message -> message.conversationId() == id));
        }
        List<String> texts = received.stream().map(Message::text).toList();
        List<Long> numbers = received.stream().map(Message::sequence).toList();
        List<String> expectedTexts = LongStream.rangeClosed(1, COUNTED).mapToObj(i -> "count " + i).toList();
        List<Long> expectedNumbers = LongStream.range(first, first + COUNTED).boxed().toList();
        if (!texts.equals(expectedTexts) || !numbers.equals(expectedNumbers)) {
            throw new IllegalStateException(member.username() + " got " + texts + " numbered " + numbers
                    + ", not count 1 to count " + COUNTED + " numbered " + expectedNumbers);
        }
        transcript.note(String.format("%-5s < count 1 .. count %d as #%d .. #%d: each once, in order", member.username(),
                COUNTED, first, first + COUNTED - 1));
    }
}
