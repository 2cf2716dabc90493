package dev.parley.server.cli;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.ImEvent;
import dev.parley.im.ImException;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
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

    DemoScript(Transport transport, PrintWriter out) {
        this.transport = transport;
        this.out = out;
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

        does(alice, "/invite bob carol");
        alice.client().invite("bob", "carol");
        long id = sees(alice, Invitation.class, invitation -> true).conversationId();
        sees(bob, Invitation.class, invitation -> invitation.conversationId() == id);
        sees(carol, Invitation.class, invitation -> invitation.conversationId() == id);
        for (ScriptedClient invited : List.of(bob, carol)) {
            does(invited, "/join " + id);
            invited.client().join(id);
            invited.sync();
        }

        say(alice, id, "Hi both, lunch at noon?", alice, bob, carol);
        say(bob, id, "Sounds good.", alice, bob, carol);
        say(carol, id, "I'm in!", alice, bob, carol);

        does(bob, "/status away");
        aliceSaw = alice.online();
        bob.client().status("away");
        seesOnline(alice, aliceSaw, online -> "away".equals(online.get("bob")));

        does(carol, "/list");
        carol.client().list();
        sees(carol, Conversations.class, conversations -> true);

        does(carol, "/leave " + id);
        carol.client().leave(id);
        does(carol, "/say " + id + " one more thing");
        carol.client().send(id, "one more thing");
        sees(carol, Error.class, error -> true);
        say(alice, id, "Carol left; see you at noon, Bob.", alice, bob);

        does(bob, "/quit");
        aliceSaw = alice.online();
        bob.client().goodbye();
        seesOnline(alice, aliceSaw, online -> !online.containsKey("bob"));
        does(carol, "/quit");
        aliceSaw = alice.online();
        carol.client().goodbye();
        seesOnline(alice, aliceSaw, online -> online.keySet().equals(Set.of("alice")));
        does(alice, "/quit");
        alice.client().goodbye();
    }

    private void register(ScriptedClient client) throws IOException, ImException {
        does(client, "register " + client.username() + " online");
        Map<String, String> online = client.register("online");
        sees(client, OnlineUsers.class, users -> users.users().equals(online));
    }

    /** {@code sender} posts {@code text}; every one of {@code members} sees it. */
    private void say(ScriptedClient sender, long id, String text, ScriptedClient... members) throws IOException {
        does(sender, "/say " + id + " " + text);
        sender.client().send(id, text);
        for (ScriptedClient member : members) {
            sees(member, Message.class, message -> message.text().equals(text));
        }
    }

    /**
     * {@code client} sees the online list change until {@code which} is true of its view; shows
     * what changed since it saw {@code before} (taken before the action that changes it), as one
     * line: which changes the server gathered into one message varies from run to run, and a
     * change may restate what the client already knew.
     */
    private void seesOnline(ScriptedClient client, Map<String, String> before, Predicate<? super Map<String, String>> which) {
        client.awaitOnline(which);
        show(client, change(before, client.online()));
    }

    /** What takes the online list {@code before} to {@code after}. */
    private static OnlineUsersChanged change(Map<String, String> before, Map<String, String> after) {
        Map<String, String> online = new HashMap<>(after);
        online.entrySet().removeIf(user -> user.getValue().equals(before.get(user.getKey())));
        Set<String> offline = new HashSet<>(before.keySet());
        offline.removeAll(after.keySet());
        return new OnlineUsersChanged(online, offline);
    }

    private void does(ScriptedClient client, String command) {
        out.printf("%-5s > %s%n", client.username(), command);
        out.flush();
    }

    private <T extends ImEvent> T sees(ScriptedClient client, Class<T> type, Predicate<? super T> which) {
        T event = client.await(type, which);
        show(client, event);
        return event;
    }

    private void show(ScriptedClient client, ImEvent event) {
        out.printf("%-5s < %s%n", client.username(), EventFormat.line(event));
        out.flush();
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
