package dev.parley.server.cli;

import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ScriptedClient;
import dev.parley.server.store.RedisFixture;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code parley server --store redis://... --node-id NAME} processes on one real
 * {@code redis-server} act as one server: users on different nodes see each other online, invite,
 * join and message each other, and each node holds its lease under the name it was given.
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
        String one = startNode("one");
        String two = startNode("two");
        Transport tcp = Transport.byName("tcp");

        try (var alice = ScriptedClient.connect(tcp, Addresses.parse(one, 0), "alice");
             var bob = ScriptedClient.connect(tcp, Addresses.parse(two, 0), "bob");
             var store = RedisStore.open(redis.address(), StoreOptions.defaults())) {
            alice.register("online");
            bob.register("online");
            alice.awaitOnline(users -> users.containsKey("bob"));
            alice.client().invite(List.of("bob"));
            long id = bob.await(Invitation.class).conversationId();
            bob.client().join(id);
            bob.sync();
            alice.client().send(id, "across nodes").get(30, TimeUnit.SECONDS);

            Message received = bob.await(Message.class, message -> message.conversationId() == id);
            assertThat(received.sender()).isEqualTo("alice");
            assertThat(received.text()).isEqualTo("across nodes");
            assertThat(store.liveNodes()).contains("one", "two");
        }
    }

    /** Starts a node named {@code name} on the fixture's Redis; returns the address it listens on. */
    private String startNode(String name) throws IOException {
        Path log = folder.resolve(name + ".log");
        Process process = processes.start(Map.of(), log, "server", "--store", "redis://" + redis.address().hostAndPort(),
                "--node-id", name, "--transport", "tcp", "--host", "127.0.0.1", "--port", "0");
        String listening = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(listening).as("node %s's first line; its log: %s", name, log).startsWith("parley server listening on tcp ");
        return listening.substring(listening.lastIndexOf(' ') + 1);
    }
}
