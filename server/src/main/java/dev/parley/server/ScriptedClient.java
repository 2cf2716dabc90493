package dev.parley.server;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.ImClient;
import dev.parley.im.ImEvent;
import dev.parley.im.ImException;
import dev.parley.im.ImListener;
import dev.parley.im.History;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.ReconnectPolicy;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * An {@link ImClient} driven by a script rather than a person: it queues every event the server
 * sends, and the script awaits the ones it expects, never sleeping. The demo and the tests use it.
 *
 * <pre>{@code
 * ScriptedClient bob = ScriptedClient.connect(transport, server, "bob");
 * bob.register("online");
 * Invitation invitation = bob.await(Invitation.class);
 * bob.client().join(invitation.conversationId());
 * }</pre>
 *
 * <p>It keeps a view of who is online, built from the {@link OnlineUsers} and
 * {@link OnlineUsersChanged} events taken so far: {@link #awaitOnline} waits until that view meets
 * a condition, whatever mix of snapshots and changes brings it there.
 *
 * <p>Every await gives up after {@link #TIMEOUT} with an {@link IllegalStateException} saying what
 * was awaited and what came instead. Events are queued on the connection's delivery thread and
 * taken by the script's thread; the awaiting methods, and the view, are meant for one script thread
 * at a time.
 */
public final class ScriptedClient implements AutoCloseable {

    /** How long any await waits. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String username;
    private final BlockingQueue<ImEvent> events = new LinkedBlockingQueue<>();
    private final ImClient client;
    /** Who is online as of the events taken so far; on the script's thread only. */
    private final Map<String, String> online = new HashMap<>();

    private ScriptedClient(String username, Transport transport, List<SocketAddress> servers, ReconnectPolicy policy)
            throws IOException {
        this.username = username;
        this.client = ImClient.connect(transport, servers, new ImListener() {
            @Override
            public void onOnlineUsers(Map<String, String> users) {
                events.add(new OnlineUsers(users));
            }

            @Override
            public void onOnlineUsersChanged(Map<String, String> cameOnline, Set<String> wentOffline) {
                events.add(new OnlineUsersChanged(cameOnline, wentOffline));
            }

            @Override
            public void onInvitation(Invitation invitation) {
                events.add(invitation);
            }

            @Override
            public void onMessage(Message message) {
                events.add(message);
            }

            @Override
            public void onConversations(Map<Long, List<String>> conversations) {
                events.add(new Conversations(conversations));
            }

            @Override
            public void onHistory(History history) {
                events.add(history);
            }

            @Override
            public void onError(Error error) {
                events.add(error);
            }
        }, policy);
    }

    /**
     * Connects to the server at {@code server}, to register later as {@code username}.
     *
     * @throws IOException if the server cannot be reached
     */
    public static ScriptedClient connect(Transport transport, SocketAddress server, String username) throws IOException {
        return new ScriptedClient(username, transport, List.of(server), ReconnectPolicy.NEVER);
    }

    /**
     * Connects to the first of {@code servers}, to register later as {@code username}, getting back
     * to them in turn as {@code policy} says when the connection drops.
     *
     * @throws IOException if the first server cannot be reached
     */
    public static ScriptedClient connect(Transport transport, List<SocketAddress> servers, String username,
                                         ReconnectPolicy policy) throws IOException {
        return new ScriptedClient(username, transport, servers, policy);
    }

    /** The name this client registers as. */
    public String username() {
        return username;
    }

    /** The client underneath, to send requests with. */
    public ImClient client() {
        return client;
    }

    /**
     * Registers as {@link #username()} with {@code status} and waits for the server's answer.
     *
     * @return the online users, this one included
     * @throws ImException if the server refused the name or status
     */
    public Map<String, String> register(String status) throws IOException, ImException {
        return register(status, "");
    }

    /**
     * As {@link #register(String)}, with the account's {@code password}, on a server with accounts.
     *
     * @throws ImException if the server refused the name, status or password
     */
    public Map<String, String> register(String status, String password) throws IOException, ImException {
        var answer = client.register(username, status, password);
        try {
            return answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ImException refused) {
                throw refused;
            }
            throw new IOException(username + ": registration failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(username + ": no answer to Register within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(username + ": interrupted while registering", e);
        }
    }

    /** Waits for the next event of {@code type}, passing over events of other types. */
    public <T extends ImEvent> T await(Class<T> type) {
        return await(type, event -> true);
    }

    /** Waits for the next event of {@code type} that meets {@code condition}, passing over the others. */
    public <T extends ImEvent> T await(Class<T> type, Predicate<? super T> condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<ImEvent> passed = new ArrayList<>();
        while (true) {
            ImEvent event = poll(deadline);
            if (event == null) {
                throw new IllegalStateException(username + ": no matching " + type.getSimpleName() + " within "
                        + TIMEOUT + "; passed over " + passed);
            }
            if (type.isInstance(event) && condition.test(type.cast(event))) {
                return type.cast(event);
            }
            passed.add(event);
        }
    }

    /**
     * Waits until this client's view of who is online (user to status) meets {@code condition},
     * taking the events in between, and returns the {@link OnlineUsers} or {@link OnlineUsersChanged}
     * that brought it there.
     */
    public ImEvent awaitOnline(Predicate<? super Map<String, String>> condition) {
        return await(ImEvent.class, event -> (event instanceof OnlineUsers || event instanceof OnlineUsersChanged)
                && condition.test(online));
    }

    /** This client's view of who is online (user to status), as of the events taken so far. */
    public Map<String, String> online() {
        return Map.copyOf(online);
    }

    /**
     * Asks the server for the conversations and returns every event that arrived before the answer,
     * followed by the answer: since the server answers in order, this is everything it sent this
     * client so far, with nothing left to wait for.
     */
    public List<ImEvent> sync() throws IOException {
        client.list();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<ImEvent> received = new ArrayList<>();
        while (true) {
            ImEvent event = poll(deadline);
            if (event == null) {
                throw new IllegalStateException(username + ": no Conversations within " + TIMEOUT
                        + "; received " + received);
            }
            received.add(event);
            if (event instanceof Conversations) {
                return received;
            }
        }
    }

    /** Waits until the connection is closed, and says why. */
    public ConnectionClosedException awaitDisconnect() {
        try {
            return client.closeFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException(username + ": still connected after " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(username + ": interrupted while awaiting the disconnect", e);
        }
    }

    /** Closes the connection; the server takes it as a goodbye. */
    @Override
    public void close() {
        client.close();
    }

    /** The next event, its change to the online list applied to the view; null once past {@code deadline}. */
    private ImEvent poll(long deadline) {
        try {
            ImEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (event instanceof OnlineUsers snapshot) {
                online.clear();
                online.putAll(snapshot.users());
            } else if (event instanceof OnlineUsersChanged changed) {
                changed.applyTo(online);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(username + ": interrupted while awaiting an event", e);
        }
    }
}
