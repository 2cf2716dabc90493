package dev.parley.server.cli;

import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ScriptedClient;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.RedisFixture;
import dev.parley.server.store.RedisProcess;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.StoredMessage;
import dev.parley.transport.Transport;
import dev.parley.transport.tcp.SelfSignedCertificate;
import dev.parley.transport.tcp.TcpTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code parley server --store redis://... --node-id NAME} processes on one real
 * {@code redis-server} act as one server: users on different nodes see each other online, invite,
 * join and message each other, and each node holds its lease under the name it was given. A node
 * also keeps its messages in a {@code redis-server} that serves only TLS, trusting its certificate.
 */
class RedisServerProcessTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    @TempDir
    Path folder;

    @RegisterExtension
    final ParleyProcesses processes = new ParleyProcesses();

    @Test
    @Timeout(120)
    void aMessageSentOnOneNodeReachesAClientOnTheOther() throws Exception {
        String one = startNode("one", "redis://" + redis.address().hostAndPort());
        String two = startNode("two", "redis://" + redis.address().hostAndPort());

        try (var store = RedisStore.open(redis.address(), StoreOptions.defaults())) {
            aliceTellsBob(one, two, "across nodes");
            assertThat(store.liveNodes()).contains("one", "two");
        }
    }

    @Test
    @Timeout(120)
    void aNodeKeepsMessagesInARedisServingOnlyTlsWhenToldWhatToTrust() throws Exception {
        var certificate = SelfSignedCertificate.forLoopback(folder);
        try (var tlsOnly = tlsOnlyRedis(certificate)) {
            String node = startNode("tls", "rediss://" + tlsOnly.address().hostAndPort(),
                    "--store-trust", certificate.certificate().toString());

            long id = aliceTellsBob(node, node, "kept over TLS");

            try (var store = RedisStore.open(tlsOnly.address(), tlsOnly.clientOptions(), StoreOptions.defaults())) {
                assertThat(store.history(id, 1, ChatStore.Direction.NEWER, 10).messages())
                        .extracting(StoredMessage::text).containsExactly("kept over TLS");
            }
        }
    }

    @Test
    void saysInOneLineThatRedisServesACertificateItDoesNotTrustAndDoesNotStart() throws Exception {
        CommandRun run;
        int port;
        try (var tlsOnly = tlsOnlyRedis(SelfSignedCertificate.forLoopback(folder))) {
            port = tlsOnly.port();
            run = CommandRun.run("", "server", "--store", "rediss://127.0.0.1:" + port, "--host", "127.0.0.1",
                    "--port", "0");
        }

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("parley server: cannot reach Redis at rediss://127.0.0.1:" + port + ": ")
                .endsWith("; to trust its certificate, name it with --store-trust FILE");
    }

    /** A {@code redis-server} serving only TLS, on {@code certificate}, which its clients trust. */
    private static RedisProcess tlsOnlyRedis(SelfSignedCertificate certificate) throws IOException {
        RedisFixture.requireRedisServer();
        return RedisProcess.startWithTls(certificate.certificate(), certificate.privateKey(),
                TcpTls.client(certificate.certificate()).context());
    }

    /**
     * Alice, on the node at {@code aliceNode}, invites bob, on the one at {@code bobNode}, and sends
     * him {@code text} once he has joined; checks that he gets it and returns the conversation's id.
     */
    private static long aliceTellsBob(String aliceNode, String bobNode, String text) throws Exception {
        Transport tcp = Transport.byName("tcp");
        try (var alice = ScriptedClient.connect(tcp, Addresses.parse(aliceNode, 0), "alice");
             var bob = ScriptedClient.connect(tcp, Addresses.parse(bobNode, 0), "bob")) {
            alice.register("online");
            bob.register("online");
            alice.awaitOnline(users -> users.containsKey("bob"));
            alice.client().invite(List.of("bob"));
            long id = bob.await(Invitation.class).conversationId();
            bob.client().join(id);
            bob.sync();
            alice.client().send(id, text).get(30, TimeUnit.SECONDS);

            Message received = bob.await(Message.class, message -> message.conversationId() == id);
            assertThat(received.sender()).isEqualTo("alice");
            assertThat(received.text()).isEqualTo(text);
            return id;
        }
    }

    /** Starts a node named {@code name} on the Redis at {@code store}, with {@code more} options; returns the address it listens on. */
    private String startNode(String name, String store, String... more) throws IOException {
        Path log = folder.resolve(name + ".log");
        List<String> args = new ArrayList<>(List.of("server", "--store", store, "--node-id", name, "--transport", "tcp",
                "--host", "127.0.0.1", "--port", "0"));
        args.addAll(List.of(more));
        Process process = processes.start(Map.of(), log, args.toArray(String[]::new));
        String listening = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(listening).as("node %s's first line; its log: %s", name, log).startsWith("parley server listening on tcp ");
        return listening.substring(listening.lastIndexOf(' ') + 1);
    }
}
