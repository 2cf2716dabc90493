package dev.parley.server.cli;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.ImException;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.transport.ConnectionStats;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The conversation {@code parley demo} plays over one transport: an in-process server and three
 * scripted clients, alice, bob and carol, who register, talk, change status, list, leave and say
 * goodbye. Prints a transcript, {@code NAME > command} for what a user does (in {@code parley chat}
 * syntax) and {@code NAME < event} for what a user sees (in {@link EventFormat}), then each
 * connection's statistics. Every step awaits the events it shows: the transcript is the same on
 * every run. Runs on the calling thread.
 */
final class DemoScript {

    private final Transport transport;
    private final PrintWriter out;
    private final Transcript transcript;

    DemoScript(Transport transport, PrintWriter out) {
        this.transport = transport;
        this.out = out;
        this.transcript = new Transcript(out);
    }

    void run() throws IOException, ImException {
        // No periodic broadcast: it would add online lines at random points of the transcript.
        var options = ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build();
        try (var server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options);
             var alice = ScriptedClient.connect(transport, server.localAddress(), "alice");
             var bob = ScriptedClient.connect(transport, server.localAddress(), "bob");
             var carol = ScriptedClient.connect(transport, server.localAddress(), "carol")) {
            out.println("== demo over " + transport.name() + ", server on " + Addresses.format(server.localAddress()) + " ==");
            play(alice, bob, carol);
            for (ScriptedClient client : List.of(alice, bob, carol)) {
                // Once closed, the counters are final: the goodbye is counted on every run.
                client.awaitDisconnect();
                out.println(statistics(client.username(), client.client().stats()));
            }
            out.println();
            out.flush();
        }
    }

    private void play(ScriptedClient alice, ScriptedClient bob, ScriptedClient carol) throws IOException, ImException {
        register(alice);
        var aliceSaw = alice.online();
        register(bob);
        seesOnline(alice, aliceSaw, online -> online.containsKey("bob"));
        aliceSaw = alice.online();
        var bobSaw = bob.online();
        register(carol);
        seesOnline(bob, bobSaw, online -> online.containsKey("carol"));
        seesOnline(alice, aliceSaw, online -> online.containsKey("carol"));

        long id = transcript.startConversation(alice, bob, carol);

        transcript.say(alice, id, "Hi both, lunch at noon?", alice, bob, carol);
        transcript.say(bob, id, "Sounds good.", alice, bob, carol);
        transcript.say(carol, id, "I'm in!", alice, bob, carol);

        transcript.does(bob, "/status away");
        aliceSaw = alice.online();
        bob.client().status("away");
        seesOnline(alice, aliceSaw, online -> "away".equals(online.get("bob")));

        transcript.does(carol, "/list");
        carol.client().list();
        transcript.sees(carol, Conversations.class, conversations -> true);

        transcript.does(carol, "/leave " + id);
        carol.client().leave(id);
        transcript.does(carol, "/say " + id + " one more thing");
        carol.client().send(id, "one more thing");
        transcript.sees(carol, Error.class, error -> true);
        transcript.say(alice, id, "Carol left; see you at noon, Bob.", alice, bob);

        transcript.does(bob, "/quit");
        aliceSaw = alice.online();
        bob.client().goodbye();
        seesOnline(alice, aliceSaw, online -> !online.containsKey("bob"));
        transcript.does(carol, "/quit");
        aliceSaw = alice.online();
        carol.client().goodbye();
        seesOnline(alice, aliceSaw, online -> online.keySet().equals(Set.of("alice")));
        transcript.does(alice, "/quit");
        alice.client().goodbye();
    }

    private void register(ScriptedClient client) throws IOException, ImException {
        transcript.does(client, "register " + client.username() + " online");
        Map<String, String> online = client.register("online");
        transcript.sees(client, OnlineUsers.class, users -> users.users().equals(online));
    }
    /**
     * {@code client} sees the online list change until {@code which} is true of its view; shows
     * what changed since it saw {@code before} (taken before the action that changes it), as one
     * line: which changes the server gathered into one message varies from run to run, and a
     * change may restate what the client already knew.
     */
    private void seesOnline(ScriptedClient client, Map<String, String> before, Predicate<? super Map<String, String>> which) {
        client.awaitOnline(which);
        transcript.show(client, change(before, client.online()));
    }

    /** What takes the online list {@code before} to {@code after}. */
    private static OnlineUsersChanged change(Map<String, String> before, Map<String, String> after) {
        Map<String, String> online = new HashMap<>(after);
        online.entrySet().removeIf(user -> user.getValue().equals(before.get(user.getKey())));
        Set<String> offline = new HashSet<>(before.keySet());
        offline.removeAll(after.keySet());
        return new OnlineUsersChanged(online, offline);
    }

    /** One line: frames and bytes each way, then the transport's own figures, such as RTT for UDP. */
    static String statistics(String username, ConnectionStats stats) {
        String line = String.format("stats %-5s sent %d frames (%d bytes), received %d frames (%d bytes)", username,
                stats.framesSent(), stats.bytesSent(), stats.framesReceived(), stats.bytesReceived());
        if (stats.details().isEmpty()) {
            return line;
        }
        return line + stats.details().entrySet().stream()
                .map(detail -> detail.getKey() + "=" + detail.getValue())
                .collect(Collectors.joining(" ", "; ", ""));
    }
}
