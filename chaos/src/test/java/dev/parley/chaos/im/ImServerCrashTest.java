package dev.parley.chaos.im;

import dev.parley.chaos.History;
import dev.parley.chaos.Verdict;
import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.ReconnectPolicy;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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
    /** Short, so that a UDP client notices a killed server quickly. */
    private static final TransportOptions OPTIONS = TransportOptions.defaults().toBuilder()
            .idleTimeout(Duration.ofMillis(1_500)).keepAliveInterval(Duration.ofMillis(300))
            .connectTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1)).build();
    private static final ReconnectPolicy POLICY = new ReconnectPolicy(10_000, Duration.ofMillis(20), Duration.ofMillis(500));

    @TempDir
    Path data;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final Map<Long, History> histories = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong reconnections = new AtomicLong();

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
        Transport transport = Transport.byName(transportName, OPTIONS);
        Map<String, ImClient> clients = new ConcurrentHashMap<>();
        for (String name : List.of("alice", "bob", "carol", "dave")) {
            ImClient client = ImClient.connect(transport, List.of(address), new Recorder(name), POLICY);
            opened.add(client);
            client.register(name, "online").get(30, TimeUnit.SECONDS);
            clients.put(name, client);
        }
        long first = conversation(clients.get("alice"), clients.get("bob"), "bob");
        long second = conversation(clients.get("carol"), clients.get("dave"), "dave");
        Map<String, Long> conversationOf = Map.of("alice", first, "bob", first, "carol", second, "dave", second);

        List<CompletableFuture<Void>> senders = new ArrayList<>();
        conversationOf.forEach((name, conversation) -> senders.add(CompletableFuture.runAsync(
                () -> send(clients.get(name), name, conversation), task -> Thread.ofVirtual().start(task))));
        long total = (long) MESSAGES_PER_SENDER * conversationOf.size();
        for (int kill = 1; kill <= KILLS; kill++) {
            long threshold = total * kill / (KILLS + 1);
            Eventually.await(() -> acknowledged.get() >= threshold || failure.get() != null, PATIENCE,
                    threshold + " messages acknowledged");
            server.kill();
            server = start(transportName, port);
        }
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(failure.get()).as("a send failed").isNull();
        assertThat(reconnections.get()).as("each kill made clients reconnect").isGreaterThanOrEqualTo(KILLS);
        assertThat(acknowledged.get()).isEqualTo(total);
        Map<Long, List<String>> members = Map.of(first, List.of("alice", "bob"), second, List.of("carol", "dave"));
        members.forEach((conversation, names) -> names.forEach(name -> Eventually.await(
                () -> histories.get(conversation).receivedBy(name) >= 2L * MESSAGES_PER_SENDER, PATIENCE,
                name + " receives every message of conversation " + conversation)));
        for (var entry : members.entrySet()) {
            Verdict verdict = histories.get(entry.getKey()).check(entry.getValue());
            assertThat(verdict.anomalies()).as("conversation %d: %s", entry.getKey(), verdict).isEmpty();
            assertThat(verdict.acknowledged()).isEqualTo(2L * MESSAGES_PER_SENDER);
        }
    }

    /** Sends {@code name}'s numbered messages, at most {@link #WINDOW} unacknowledged at a time. */
    private void send(ImClient client, String name, long conversation) {
        var window = new Semaphore(WINDOW);
        History history = histories.get(conversation);
        try {
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (int seq = 1; seq <= MESSAGES_PER_SENDER; seq++) {
                window.acquire();
                int number = seq;
                history.sent(name, number);
                sends.add(client.send(conversation, History.tag(name, number) + "hello").whenComplete((sequence, error) -> {
                    if (error == null) {
                        history.acknowledged(name, number);
                        acknowledged.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, error);
                    }
                    window.release();
                }));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
            throw new IllegalStateException(e);
        }
    }

    /** Starts a conversation of {@code inviter} and {@code invitee}, both joined; returns its id. */
    private long conversation(ImClient inviter, ImClient invitee, String inviteeName) throws Exception {
        var invited = new CompletableFuture<Long>();
        pendingInvitations.put(inviteeName, invited);
        inviter.invite(inviteeName);
        long id = invited.get(30, TimeUnit.SECONDS);
        histories.put(id, new History());
        invitee.join(id);
        invitee.list().get(30, TimeUnit.SECONDS);
        return id;
    }

    private final Map<String, CompletableFuture<Long>> pendingInvitations = new ConcurrentHashMap<>();

    private ServerProcess start(String transportName, int port) throws Exception {
        return ServerProcess.start(opened, "--transport", transportName, "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--store", "sqlite", "--data", data.toString(), "--rate", "0");
    }

    /** Records what one client's listener delivers, and hands its invitations to the test. */
    private final class Recorder implements ImListener {
        private final String name;

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public void onInvitation(Invitation invitation) {
            var waiting = pendingInvitations.remove(name);
            if (waiting != null) {
                waiting.complete(invitation.conversationId());
            }
        }

        @Override
        public void onReconnected() {
            reconnections.incrementAndGet();
        }

        @Override
        public void onMessage(Message message) {
            History history = histories.get(message.conversationId());
            History.parse(message.text()).ifPresent(tag -> history.received(name, tag.sender(), tag.seq(),
                    message.conversationId(), message.sequence()));
        }
    }
}
