package dev.parley.chaos.im;

import dev.parley.chaos.ChaosOptions;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.ChaosServer;
import dev.parley.chaos.Direction;
import dev.parley.chaos.History;
import dev.parley.chaos.HistoryEvent;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import dev.parley.chaos.Verdict;
import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.server.store.RedisAddress;
import dev.parley.server.store.RedisFixture;
import dev.parley.server.store.RedisOptions;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An IM server on a real Redis reached through the chaos proxy: latency, a connection reset and a
 * partition between the server and Redis. While Redis cannot be reached, sends are refused saying
 * the store is unavailable; afterwards the server is back by itself; and the history checker finds
 * every accepted message delivered to every member once, in one order, nothing lost.
 */
class ImOnRedisFaultsTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    /** How long the partition lasts (the issue's 10 s): many command timeouts, so that refusals and retries are seen. */
    private static final Duration PARTITION = Duration.ofSeconds(10);
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final List<String> MEMBERS = List.of("alice", "bob");

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final History history = new History();
    private final AtomicLong accepted = new AtomicLong();
    private final CompletableFuture<Long> invited = new CompletableFuture<>();
    private ChaosProxy proxy;
    private ImClient alice;
    private long conversation;
    private long sent;

    @BeforeEach
    void startServerOnRedisThroughAProxy() throws Exception {
        var chaos = ChaosServer.start(ChaosOptions.defaults());
        opened.add(chaos);
        proxy = chaos.createProxy("redis", Protocol.TCP, new InetSocketAddress("127.0.0.1", redis.process().port()));
        var redisOptions = RedisOptions.defaults().withCommandTimeout(COMMAND_TIMEOUT)
                .withReconnectDelays(Duration.ofMillis(20), Duration.ofMillis(200));
        var store = RedisStore.open(RedisAddress.of("127.0.0.1", proxy.listenAddress().getPort()), redisOptions,
                StoreOptions.defaults());
        Transport tcp = Transport.byName("tcp");
        ImServer server = ImServer.start(tcp, new InetSocketAddress("127.0.0.1", 0),
                ServerOptions.builder().messagesPerSecond(0).onlineBroadcastPeriod(Duration.ZERO).build(), store);
        opened.add(server);
        alice = ImClient.connect(tcp, server.localAddress(), new Recorder("alice"));
        opened.add(alice);
        ImClient bob = ImClient.connect(tcp, server.localAddress(), new Recorder("bob"));
        opened.add(bob);
        alice.register("alice", "online").get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        bob.register("bob", "online").get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        alice.invite("bob");
        conversation = invited.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        bob.join(conversation);
        bob.list().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    /** Repeated: what a partition holds reaches Redis at a different moment each time (RedisAbandonedConnectionTest pins one). */
    @RepeatedTest(3)
    void refusesSendsClearlyWhileRedisIsUnreachableComesBackByItselfAndLosesNothingAccepted() throws Exception {
        sendAccepted(20);

        proxy.add(Toxic.of(ToxicType.LATENCY, Direction.DOWNSTREAM).with("latency", 50));
        sendAccepted(20);
        proxy.remove("latency_downstream");

        proxy.add(Toxic.of(ToxicType.RESET_PEER, Direction.UPSTREAM));
        assertThat(refusal(send())).contains("not stored: store unavailable");
        proxy.remove("reset_peer_upstream");
        awaitAccepted();
        sendAccepted(20);

        proxy.add(Toxic.of(ToxicType.PARTITION, Direction.UPSTREAM));
        proxy.add(Toxic.of(ToxicType.PARTITION, Direction.DOWNSTREAM));
        long end = System.nanoTime() + PARTITION.toNanos();
        int refused = 0;
        // Bounded: the partition lasts PARTITION, and each send is answered within a command timeout.
        while (System.nanoTime() < end) {
            long started = System.nanoTime();
            assertThat(refusal(send())).contains("not stored: store unavailable");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a refusal comes within the command timeout")
                    .isLessThan(COMMAND_TIMEOUT.multipliedBy(6));
            refused++;
        }
        proxy.remove("partition_upstream");
        proxy.remove("partition_downstream");
        awaitAccepted();
        sendAccepted(20);

        assertThat(refused).isGreaterThan(1);
        // Not a count of bob's deliveries: a message Redis stored while its reply was lost is refused
        // yet delivered too, so such a count can reach the accepted ones before the last arrives.
        long last = sent;
        Eventually.await(() -> MEMBERS.stream().allMatch(member -> hasReceived(member, last)), PATIENCE,
                "every member receives alice's last message, accepted as the others before it");
        Verdict verdict = history.check(MEMBERS);
        assertThat(verdict.anomalies()).as("%s", verdict).isEmpty();
        assertThat(verdict.acknowledged()).isEqualTo(accepted.get());
    }

    /** Sends {@code count} numbered messages at once and waits until the store has accepted each. */
    private void sendAccepted(int count) throws Exception {
        long first = sent + 1;
        List<CompletableFuture<Long>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(send());
        }
        for (int i = 0; i < count; i++) {
            try {
                sends.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                long number = first + i;
                throw new AssertionError("alice#" + number + " not accepted within " + PATIENCE + "; delivered to "
                        + MEMBERS.stream().filter(member -> hasReceived(member, number)).toList(), e);
            }
        }
    }

    /** Sends until one is accepted: the store reconnects by itself, after its backoff. */
    private void awaitAccepted() throws Exception {
        long end = System.nanoTime() + PATIENCE.toNanos();
        // Bounded by PATIENCE.
        while (true) {
            try {
                send().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                return;
            } catch (ExecutionException refused) {
                if (System.nanoTime() > end) {
                    throw refused;
                }
            }
        }
    }

    /** Sends alice's next numbered message, recording it in the history. */
    private CompletableFuture<Long> send() throws Exception {
        long number = ++sent;
        history.sent("alice", number);
        return alice.send(conversation, History.tag("alice", number) + "hello").whenComplete((sequence, error) -> {
            if (error == null) {
                history.acknowledged("alice", number);
                accepted.incrementAndGet();
            }
        });
    }

    /** Whether {@code member}'s listener has delivered alice's message {@code number}. */
    private boolean hasReceived(String member, long number) {
        return history.events().stream().anyMatch(event -> event.kind() == HistoryEvent.Kind.RECEIVED
                && member.equals(event.receiver()) && "alice".equals(event.sender()) && event.seq() == number);
    }

    /** The message of the error the send was refused with. */
    private static String refusal(CompletableFuture<Long> send) throws InterruptedException, TimeoutException {
        try {
            Long sequence = send.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("accepted as number " + sequence + " while Redis could not be reached");
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause().getMessage());
        }
    }

    /** Records what one client's listener delivers, and hands alice's invitation to the test. */
    private final class Recorder implements ImListener {
        private final String name;

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public void onInvitation(Invitation invitation) {
            invited.complete(invitation.conversationId());
        }

        @Override
        public void onMessage(Message message) {
            History.parse(message.text()).ifPresent(tag -> history.received(name, tag.sender(), tag.seq(),
                    message.conversationId(), message.sequence()));
        }
    }
}
