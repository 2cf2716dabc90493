package dev.parley.im;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.codec.Codec;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionStats;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A client of the IM server, over any transport.
 *
 * <pre>{@code
 * ImClient alice = ImClient.connect(Transport.byName("tcp"), new InetSocketAddress("localhost", 6666),
 *         new ImListener() {
 *             public void onMessage(Message m) { System.out.println(m.sender() + ": " + m.text()); }
 *         });
 * alice.register("alice", "online").join();
 * alice.invite("bob");
 * }</pre>
 *
 * <p>Requests are sent in the order they are made and return once queued; what the server makes
 * of them arrives at the {@link ImListener}. {@link #register} and {@link #list()} also return a
 * future of their answer, completed after the listener has seen it. The client keeps no list of
 * who is online: it passes snapshots and changes to the listener as they come. Thread-safe.
 */
public final class ImClient implements AutoCloseable {

    private final Peer peer;
    private final ImListener listener;
    private final Queue<CompletableFuture<Map<Long, List<String>>>> listings = new ConcurrentLinkedQueue<>();
    private volatile PendingRegistration registration;

    private record PendingRegistration(String username, CompletableFuture<Map<String, String>> result) {
    }

    private ImClient(ImListener listener, Transport transport, SocketAddress server) throws IOException {
        this.listener = listener;
        Endpoint endpoint = Endpoint.builder(Codec.defaults())
                .on(ImEvent.class, (peer, event) -> dispatch(event))
                .onClose((peer, cause) -> disconnected(cause))
                .build();
        this.peer = endpoint.connect(transport, server);
    }

    /**
     * Connects to the IM server at {@code server}; events go to {@code listener}.
     *
     * @throws IOException if the server cannot be reached
     */
    public static ImClient connect(Transport transport, SocketAddress server, ImListener listener) throws IOException {
        return new ImClient(Objects.requireNonNull(listener, "listener"), transport, server);
    }

    /**
     * Comes online as {@code username}. The future completes with the online users (the snapshot
     * the server sends on registering) once the server has taken the name, or fails with {@link ImException} carrying the server's
     * {@link Error} (name taken, not valid, ...).
     */
    public CompletableFuture<Map<String, String>> register(String username, String status) throws IOException {
        return register(username, status, "");
    }

    /**
     * As {@link #register(String, String)}, proving the name with {@code password} on a server that
     * keeps accounts; a wrong password, or a name without an account, fails the future with
     * {@link ImException} (after the server's delay). The password is sent as it is: over anything
     * but loopback, use an encrypted transport.
     */
    public CompletableFuture<Map<String, String>> register(String username, String status, String password)
            throws IOException {
        var pending = new PendingRegistration(username, new CompletableFuture<>());
        registration = pending;
        peer.send(new Register(username, status, password));
        return pending.result();
    }

    /** Creates a conversation with {@code usernames} and this user. */
    public void invite(List<String> usernames) throws IOException {
        peer.send(new Invite(usernames));
    }

    /** Creates a conversation with {@code usernames} and this user. */
    public void invite(String... usernames) throws IOException {
        invite(List.of(usernames));
    }

    public void join(long conversationId) throws IOException {
        peer.send(new Join(conversationId));
    }

    /** Posts {@code text} to a conversation this user is a member of. */
    public void send(long conversationId, String text) throws IOException {
        peer.send(new SendMessage(conversationId, text));
    }

    public void leave(long conversationId) throws IOException {
        peer.send(new Leave(conversationId));
    }

    /** Changes this user's status, for example to "away". */
    public void status(String status) throws IOException {
        peer.send(new StatusChange(status));
    }

    /**
     * Asks for the ongoing conversations. The future completes with them (they also go to
     * {@link ImListener#onConversations}), or fails with {@link ImException} if refused.
     */
    public CompletableFuture<Map<Long, List<String>>> list() throws IOException {
        var result = new CompletableFuture<Map<Long, List<String>>>();
        listings.add(result);
        try {
            peer.send(new ListConversations());
        } catch (IOException e) {
            listings.remove(result);
            throw e;
        }
        return result;
    }

    /** Says goodbye and closes the connection gracefully once everything queued is sent. */
    public void goodbye() throws IOException {
        if (peer.isOpen()) {
            peer.send(new Goodbye());
        }
        peer.close();
    }

    /** Closes the connection gracefully; the server treats it as a goodbye. Idempotent. */
    @Override
    public void close() {
        peer.close();
    }

    /** True while connected. */
    public boolean isConnected() {
        return peer.isOpen();
    }

    /** Completes with the cause once the connection is closed. */
    public CompletableFuture<ConnectionClosedException> closeFuture() {
        return peer.closeFuture();
    }

    /** The connection's counters (and the transport's own, such as RTT for UDP). */
    public ConnectionStats stats() {
        return peer.connection().stats();
    }

    private void dispatch(ImEvent event) {
        switch (event) {
            case OnlineUsers online -> {
                listener.onOnlineUsers(online.users());
                PendingRegistration pending = registration;
                if (pending != null && online.users().containsKey(pending.username())) {
                    registration = null;
                    pending.result().complete(online.users());
                }
            }
            case OnlineUsersChanged changed -> listener.onOnlineUsersChanged(changed.online(), changed.offline());
            case Invitation invitation -> listener.onInvitation(invitation);
            case Message message -> listener.onMessage(message);
            case Conversations conversations -> {
                listener.onConversations(conversations.conversations());
                var waiting = listings.poll();
                if (waiting != null) {
                    waiting.complete(conversations.conversations());
                }
            }
            case Error error -> {
                listener.onError(error);
                failWaiting(error);
            }
        }
    }

    private void failWaiting(Error error) {
        PendingRegistration pending = registration;
        if (pending != null && error.request().equals(Register.class.getSimpleName())) {
            registration = null;
            pending.result().completeExceptionally(new ImException(error));
        } else if (error.request().equals(ListConversations.class.getSimpleName())) {
            var waiting = listings.poll();
            if (waiting != null) {
                waiting.completeExceptionally(new ImException(error));
            }
        }
    }

    private void disconnected(ConnectionClosedException cause) {
        PendingRegistration pending = registration;
        if (pending != null) {
            pending.result().completeExceptionally(cause);
        }
        for (var waiting = listings.poll(); waiting != null; waiting = listings.poll()) {
            waiting.completeExceptionally(cause);
        }
        listener.onDisconnected(cause);
    }
}
