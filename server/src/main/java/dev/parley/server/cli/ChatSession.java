package dev.parley.server.cli;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.ImClient;
import dev.parley.im.ImEvent;
import dev.parley.im.ImListener;
import dev.parley.im.History;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.transport.ConnectionClosedException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@code parley chat} session: prints every event from the server as one line (see
 * {@link EventFormat}), plus {@code registered as NAME} once the server has taken the name and
 * {@code disconnected: CAUSE} if the server goes away; and runs the commands typed on the input.
 * It keeps its own view of who is online, so that of a change to the online list it prints only
 * what is news to it, and nothing when the change only restates what it knew.
 *
 * <p>At {@code /quit} or the end of the input, the session first waits for the server to answer
 * everything already sent (it asks for the conversations and does not print that answer): a
 * script piping commands in sees every reply before the exit, whatever the transport does with
 * frames in flight at a close. Changes to the online list are not replies: the server gathers them
 * for a moment (its presence delay) first, so one made just before the exit may not be printed.
 *
 * <p><b>Threads.</b> Events arrive on the connection's delivery thread, the only one that touches
 * the view of who is online; commands are read and run
 * on the input thread ({@link #run}); lines are printed whole, one at a time, and flushed at once.
 * {@link #exitCode()} completes when the session is over, from either thread.
 */
final class ChatSession implements ImListener {

    /** How long the last answers, then the goodbye, may take before the session ends anyway. */
    private static final Duration GOODBYE_TIMEOUT = Duration.ofSeconds(10);
    private static final String REGISTER = Register.class.getSimpleName();

    private final PrintWriter out;
    private final String username;
    private final ReentrantLock printing = new ReentrantLock();
    private final CompletableFuture<Void> registered = new CompletableFuture<>();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    /** One entry per list request in flight, in order: print its answer, or not (a quiet sync). */
    private final Queue<Boolean> listings = new ConcurrentLinkedQueue<>();
    /** Who is online, with their status, as this session has been told; on the delivery thread only. */
    private final Map<String, String> online = new HashMap<>();
    private volatile boolean quitting;
    /** Sends not yet acknowledged (accepted or refused); used by the input thread only. */
    private final List<CompletableFuture<Long>> unacknowledged = new ArrayList<>();

    ChatSession(PrintWriter out, String username) {
        this.out = out;
        this.username = username;
    }

    /** Completes once the server has taken the name. */
    CompletableFuture<Void> registered() {
        return registered;
    }

    /** Completes with the exit code when the session is over: quit, refused, or disconnected. */
    CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    /** Reads and runs commands from {@code input} until {@code /quit}, its end, or the end of the session. */
    void run(ImClient client, BufferedReader input) {
        try {
            for (String line = input.readLine(); line != null && !exitCode.isDone(); line = input.readLine()) {
                if (!execute(client, ChatLineParser.parse(line))) {
                    return;
                }
            }
        } catch (IOException e) {
            print("input failed: " + e.getMessage());
        }
        quit(client);
    }

    @Override
    public void onOnlineUsers(Map<String, String> users) {
        // The same test ImClient uses to complete its registration: our name is among the online users.
        if (!registered.isDone() && users.containsKey(username)) {
            print("registered as " + username);
            registered.complete(null);
        }
        online.clear();
        online.putAll(users);
        print(new OnlineUsers(users));
    }

    @Override
    public void onOnlineUsersChanged(Map<String, String> cameOnline, Set<String> wentOffline) {
        Map<String, String> news = new LinkedHashMap<>();
        cameOnline.forEach((user, status) -> {
            if (!Objects.equals(online.get(user), status)) {
                news.put(user, status);
            }
        });
        Set<String> gone = new LinkedHashSet<>(wentOffline);
        gone.retainAll(online.keySet());
        var change = new OnlineUsersChanged(news, gone);
        change.applyTo(online);
        if (!news.isEmpty() || !gone.isEmpty()) {
            print(change);
        }
    }

    @Override
    public void onInvitation(Invitation invitation) {
        print(invitation);
    }

    @Override
    public void onMessage(Message message) {
        print(message);
    }

    @Override
    public void onHistory(History history) {
        print(history);
    }

    @Override
    public void onConversations(Map<Long, List<String>> conversations) {
        if (!Boolean.FALSE.equals(listings.poll())) {
            print(new Conversations(conversations));
        }
    }

    @Override
    public void onError(Error error) {
        print(error);
        if (!registered.isDone() && error.request().equals(REGISTER)) {
            exitCode.complete(ParleyCommand.FAILED);
        }
    }

    @Override
    public void onReconnecting(ConnectionClosedException cause) {
        print("reconnecting: lost the server: " + cause.getMessage());
    }

    @Override
    public void onReconnected() {
        print("reconnected");
    }

    @Override
    public void onGap(long conversationId, long fromSequence, long toSequence) {
        print("gap " + conversationId + " #" + fromSequence + "-#" + toSequence + ": no longer kept by the server");
    }

    @Override
    public void onDisconnected(ConnectionClosedException cause) {
        // Not when this side ended the session: by quitting, or after the name was refused.
        if (!quitting && !exitCode.isDone()) {
            print("disconnected: " + cause.getMessage());
            exitCode.complete(ParleyCommand.DISCONNECTED);
        }
    }

    /** Runs one command; false once the session should stop reading. */
    private boolean execute(ImClient client, ChatLine line) {
        try {
            switch (line) {
                case ChatLine.Blank blank -> { }
                case ChatLine.Invalid invalid -> print("invalid: " + invalid.reason());
                case ChatLine.Help help -> ChatLineParser.help().forEach(this::print);
                case ChatLine.Invite invite -> client.invite(invite.usernames());
                case ChatLine.Join join -> client.join(join.conversationId());
                case ChatLine.Say say -> {
                    unacknowledged.removeIf(CompletableFuture::isDone);
                    unacknowledged.add(client.send(say.conversationId(), say.text()));
                }
                case ChatLine.ShowHistory history -> client.history(history.conversationId(), Long.MAX_VALUE, true,
                        history.count());
                case ChatLine.ListConversations list -> {
                    listings.add(true);
                    client.list();
                }
                case ChatLine.Status status -> client.status(status.status());
                case ChatLine.Leave leave -> client.leave(leave.conversationId());
                case ChatLine.Quit quit -> {
                    quit(client);
                    return false;
                }
            }
        } catch (IllegalArgumentException e) {
            // The line encodes to more than the largest frame.
            print("invalid: too long to send");
        } catch (IOException e) {
            // Closed for good: onDisconnected has ended the session, or is about to. Else reconnecting.
            if (client.closeFuture().isDone() || exitCode.isDone()) {
                return false;
            }
            print("not sent: " + e.getMessage());
        }
        return true;
    }

    private void quit(ImClient client) {
        try {
            // Acknowledgements come from the store's commits, not in line with the answers to later
            // requests: wait for them (accepted or refused) as well as for the listing.
            CompletableFuture.allOf(unacknowledged.stream().map(send -> send.handle((sequence, refusal) -> null))
                    .toArray(CompletableFuture[]::new)).get(GOODBYE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            listings.add(false);
            client.list().get(GOODBYE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            quitting = true;
            client.goodbye();
            client.closeFuture().get(GOODBYE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            // Leaving anyway: the server treats a closed connection as a goodbye.
            client.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exitCode.complete(ParleyCommand.OK);
    }

    private void print(ImEvent event) {
        print(EventFormat.line(event));
    }

    private void print(String line) {
        printing.lock();
        try {
            out.println(line);
            out.flush();
        } finally {
            printing.unlock();
        }
    }
}
