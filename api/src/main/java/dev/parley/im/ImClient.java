package dev.parley.im;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.codec.Codec;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionStats;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

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
 * of them arrives at the {@link ImListener}. {@link #register}, {@link #list()} and
 * {@link #history} also return a future of their answer, completed after the listener has seen it;
 * {@link #send} returns a future of the message's sequence number, completed once the server has
 * stored it and the listener has seen the message in its turn. The client keeps no list of who is online: it passes snapshots and changes to the
 * listener as they come.
 *
 * <p><b>Messages, once each, in order.</b> The client delivers each conversation's messages to the
 * listener in sequence order, each once: one it has delivered already is dropped, and one that
 * comes after a gap waits while the client fetches the missing ones from the server's history
 * (or reports them with {@link ImListener#onGap} if the server no longer keeps them).
 *
 * <p><b>Reconnecting.</b> Given a {@link ReconnectPolicy} other than {@link ReconnectPolicy#NEVER},
 * a client whose connection drops after it registered tells the listener
 * ({@link ImListener#onReconnecting}), tries its servers in turn with backoff, registers again under
 * the same name, resuming each conversation from the last sequence number it delivered (the
 * server sends what it missed), sends again each message not yet acknowledged (with the same client
 * message id, so that the server stores it once) and tells the listener it is back. Requests made
 * meanwhile other than {@link #send} fail with {@link IOException}; sends wait to be sent.
 *
 * <p><b>Threads.</b> Thread-safe. The listener is called on the thread that delivers the
 * connection's messages, one event at a time (a lock guards the client's state and is held while
 * the listener runs); reconnection attempts run on a virtual thread of their own.
 */
public final class ImClient implements AutoCloseable {

    private static final Executor RECONNECTS = task -> Thread.ofVirtual().name("parley-im-reconnect").start(task);
    /** The most messages one fetch of missing messages asks for. */
    private static final int GAP_FETCH = 200;

    private final Transport transport;
    private final List<SocketAddress> servers;
    private final ImListener listener;
    private final ReconnectPolicy policy;
    private final Endpoint endpoint;
    /** Completes with the cause once the client is closed or gave up. */
    private final CompletableFuture<ConnectionClosedException> finished = new CompletableFuture<>();
    /**
     * The next client message id: from a random start, so that a client that comes back after a
     * restart does not reuse the ids of the one before it, which the server would take for resends.
     */
    private long nextClientMessageId = ThreadLocalRandom.current().nextLong(1, 1L << 62);

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private Peer peer;
    private Registration registration;
    /** Who this client registered as, once the server said yes; null before. */
    private Register registered;
    private final Queue<CompletableFuture<Map<Long, List<String>>>> listings = new ArrayDeque<>();
    /** Answers awaited from {@link GetHistory}, in order; a null future marks a fetch of missing messages. */
    private final Queue<HistoryWait> histories = new ArrayDeque<>();
    /** Sends not yet acknowledged, by client message id, in the order they were made. */
    private final Map<Long, PendingSend> unacknowledged = new LinkedHashMap<>();
    private final Map<Long, Long> lastDelivered = new HashMap<>();
    /** Messages that came after a gap, waiting for it to be filled, by conversation. */
    private final Map<Long, TreeMap<Long, Message>> waiting = new HashMap<>();
    private boolean closing;
    /** True once the client ended for good: closed, or out of attempts. */
    private boolean gaveUp;
    private int attempt;

    private record Registration(Register request, CompletableFuture<Map<String, String>> result) {
    }

    private record HistoryWait(long conversationId, CompletableFuture<History> result) {
    }

    private record PendingSend(SendMessage request, CompletableFuture<Long> accepted) {
    }

    private ImClient(Transport transport, List<SocketAddress> servers, ImListener listener, ReconnectPolicy policy)
            throws IOException {
        this.transport = transport;
        this.servers = List.copyOf(servers);
        this.listener = listener;
        this.policy = policy;
        if (this.servers.isEmpty()) {
            throw new IllegalArgumentException("no server address");
        }
        this.endpoint = Endpoint.builder(Codec.defaults())
                .on(ImEvent.class, this::dispatch)
                .onClose(this::disconnected)
                .build();
        Peer first = endpoint.connect(transport, this.servers.getFirst());
        lock.lock();
        try {
            peer = first;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Connects to the IM server at {@code server}; events go to {@code listener}. A dropped
     * connection ends the client ({@link ReconnectPolicy#NEVER}).
     *
     * @throws IOException if the server cannot be reached
     */
    public static ImClient connect(Transport transport, SocketAddress server, ImListener listener) throws IOException {
        return connect(transport, List.of(server), listener, ReconnectPolicy.NEVER);
    }

    /**
     * Connects to the first of {@code servers}; when the connection drops, gets back to them in
     * turn as {@code policy} says.
     *
     * @throws IOException if the first server cannot be reached
     */
    public static ImClient connect(Transport transport, List<SocketAddress> servers, ImListener listener,
                                   ReconnectPolicy policy) throws IOException {
        return new ImClient(transport, servers, Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(policy, "policy"));
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
        var pending = new Registration(new Register(username, status, password), new CompletableFuture<>());
        Peer current;
        lock.lock();
        try {
            registration = pending;
            current = peer;
        } finally {
            lock.unlock();
        }
        current.send(pending.request());
        return pending.result();
    }

    /** Creates a conversation with {@code usernames} and this user. */
    public void invite(List<String> usernames) throws IOException {
        request(new Invite(usernames));
    }

    /** Creates a conversation with {@code usernames} and this user. */
    public void invite(String... usernames) throws IOException {
        invite(List.of(usernames));
    }

    public void join(long conversationId) throws IOException {
        request(new Join(conversationId));
    }

    /**
     * Posts {@code text} to a conversation this user is a member of, under a new client message id.
     * The future completes with the message's sequence number once the server has stored it (its
     * {@link Message} reaching this client being the acknowledgement) and the listener has seen that
     * message in its turn (after any gap before it is filled), or fails when the client is
     * closed or gives up reconnecting first. While reconnecting, the send waits to be sent. A
     * refusal (not a member, text too long, not stored, over the rate limit) goes to
     * {@link ImListener#onError} and fails the future with {@link ImException}; a refused send is
     * not sent again after a reconnect.
     */
    public CompletableFuture<Long> send(long conversationId, String text) throws IOException {
        PendingSend pending;
        Peer current;
        lock.lock();
        try {
            if (gaveUp) {
                throw new IOException("client closed");
            }
            pending = new PendingSend(new SendMessage(conversationId, nextClientMessageId++, text),
                    new CompletableFuture<>());
            unacknowledged.put(pending.request().clientMessageId(), pending);
            current = isReconnecting() ? null : peer;
        } finally {
            lock.unlock();
        }
        if (current != null) {
            try {
                current.send(pending.request());
            } catch (IOException | RuntimeException e) {
                if (policy.maxAttempts() == 0 || e instanceof RuntimeException) {
                    forget(pending);
                    throw e;
                }
                // Reconnecting: sent again once back.
            }
        }
        return pending.accepted();
    }

    private void forget(PendingSend pending) {
        underLock(() -> unacknowledged.remove(pending.request().clientMessageId()));
    }

    private void underLock(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
    }

    public void leave(long conversationId) throws IOException {
        request(new Leave(conversationId));
    }

    /** Changes this user's status, for example to "away"; kept for registering again after a reconnect. */
    public void status(String status) throws IOException {
        request(new StatusChange(status));
        lock.lock();
        try {
            if (registered != null) {
                registered = new Register(registered.username(), status, registered.password());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks for the ongoing conversations. The future completes with them (they also go to
     * {@link ImListener#onConversations}), or fails with {@link ImException} if refused.
     */
    public CompletableFuture<Map<Long, List<String>>> list() throws IOException {
        var result = new CompletableFuture<Map<Long, List<String>>>();
        Peer current = awaitAnswer(() -> listings.add(result));
        try {
            current.send(new ListConversations());
        } catch (IOException | RuntimeException e) {
            underLock(() -> listings.remove(result));
            throw e;
        }
        return result;
    }

    /**
     * Asks for a page of conversation {@code conversationId}'s history (see {@link GetHistory}). The
     * future completes with it (it also goes to {@link ImListener#onHistory}), or fails with
     * {@link ImException} if refused.
     */
    public CompletableFuture<History> history(long conversationId, long from, boolean older, int limit)
            throws IOException {
        var result = new CompletableFuture<History>();
        var wait = new HistoryWait(conversationId, result);
        Peer current = awaitAnswer(() -> histories.add(wait));
        try {
            current.send(new GetHistory(conversationId, from, older, limit));
        } catch (IOException | RuntimeException e) {
            underLock(() -> histories.remove(wait));
            throw e;
        }
        return result;
    }

    /** Says goodbye and closes the connection gracefully once everything queued is sent; no reconnecting after. */
    public void goodbye() throws IOException {
        Peer current;
        lock.lock();
        try {
            closing = true;
            current = peer;
        } finally {
            lock.unlock();
        }
        if (current.isOpen()) {
            current.send(new Goodbye());
        }
        current.close();
    }

    /** Closes the connection gracefully, and stops reconnecting; the server treats it as a drop. Idempotent. */
    @Override
    public void close() {
        Peer current;
        boolean reconnecting;
        lock.lock();
        try {
            closing = true;
            current = peer;
            reconnecting = isReconnecting();
        } finally {
            lock.unlock();
        }
        current.close();
        if (reconnecting) {
            giveUp(new ConnectionClosedException(ConnectionClosedException.Reason.CLOSED_LOCALLY,
                    "closed while reconnecting"));
        }
    }

    /** True while connected. */
    public boolean isConnected() {
        lock.lock();
        try {
            return peer.isOpen();
        } finally {
            lock.unlock();
        }
    }

    /** Completes with the cause once the client is closed, or has given up reconnecting. */
    public CompletableFuture<ConnectionClosedException> closeFuture() {
        return finished.copy();
    }

    /** The current connection's counters (and the transport's own, such as RTT for UDP). */
    public ConnectionStats stats() {
        lock.lock();
        try {
            return peer.connection().stats();
        } finally {
            lock.unlock();
        }
    }

    /** Sends {@code request} now, not holding the lock (a send may wait for room); fails while reconnecting. */
    private void request(ImRequest request) throws IOException {
        awaitAnswer(() -> true).send(request);
    }

    /** Holding the lock, notes an answer to wait for; returns the connection to ask on, or fails while reconnecting. */
    private Peer awaitAnswer(BooleanSupplier note) throws IOException {
        lock.lock();
        try {
            if (isReconnecting()) {
                throw new IOException("reconnecting to the server: try again when it is back");
            }
            note.getAsBoolean();
            return peer;
        } finally {
            lock.unlock();
        }
    }

    /** True from a drop until registered again (or given up). */
    private boolean isReconnecting() {
        return attempt > 0;
    }

    private void dispatch(Peer from, ImEvent event) {
        lock.lock();
        try {
            if (from != peer) {
                return;
            }
            switch (event) {
                case OnlineUsers online -> {
                    listener.onOnlineUsers(online.users());
                    Registration pending = registration;
                    if (pending != null && online.users().containsKey(pending.request().username())) {
                        registration = null;
                        registered = pending.request();
                        if (isReconnecting()) {
                            reconnected();
                        }
                        pending.result().complete(online.users());
                    }
                }
                case OnlineUsersChanged changed -> listener.onOnlineUsersChanged(changed.online(), changed.offline());
                case Invitation invitation -> listener.onInvitation(invitation);
                case Message message -> received(message);
                case History history -> {
                    HistoryWait wait = histories.poll();
                    if (wait == null || wait.result() != null) {
                        listener.onHistory(history);
                        if (wait != null) {
                            wait.result().complete(history);
                        }
                    } else {
                        filled(history);
                    }
                }
                case Conversations conversations -> {
                    listener.onConversations(conversations.conversations());
                    var listing = listings.poll();
                    if (listing != null) {
                        listing.complete(conversations.conversations());
                    }
                }
                case Error error -> {
                    if (!(isReconnecting() && error.request().equals(Register.class.getSimpleName()))) {
                        listener.onError(error);
                    }
                    failWaiting(error);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delivers the message in its turn; a send of ours is acknowledged once its message is delivered
     * (or at once, if it was delivered before), so that a completed send is one the listener has.
     */
    private void received(Message message) {
        long conversation = message.conversationId();
        Long last = lastDelivered.get(conversation);
        if (last == null || message.sequence() == last + 1) {
            deliver(message);
            deliverWaiting(conversation);
        } else if (message.sequence() > last + 1) {
            var later = waiting.computeIfAbsent(conversation, id -> new TreeMap<>());
            boolean fetching = !later.isEmpty();
            later.put(message.sequence(), message);
            if (!fetching) {
                fetchMissing(conversation);
            }
        } else {
            acknowledge(message);
        }
    }

    private void deliver(Message message) {
        lastDelivered.put(message.conversationId(), message.sequence());
        listener.onMessage(message);
        acknowledge(message);
    }

    /** Completes the send of ours that {@code message} is, if it is one still waiting. */
    private void acknowledge(Message message) {
        if (registered != null && message.sender().equalsIgnoreCase(registered.username())) {
            PendingSend pending = unacknowledged.remove(message.clientMessageId());
            if (pending != null) {
                pending.accepted().complete(message.sequence());
            }
        }
    }

    /** Delivers what waited for the messages just delivered, as far as it runs without a gap. */
    private void deliverWaiting(long conversation) {
        TreeMap<Long, Message> later = waiting.get(conversation);
        if (later == null) {
            return;
        }
        long last = lastDelivered.get(conversation);
        later.headMap(last, true).clear();
        while (!later.isEmpty() && later.firstKey() == last + 1) {
            deliver(later.pollFirstEntry().getValue());
            last++;
        }
        if (later.isEmpty()) {
            waiting.remove(conversation);
        } else {
            fetchMissing(conversation);
        }
    }

    /** Asks the server's history for the messages between the last delivered and the first waiting. */
    private void fetchMissing(long conversation) {
        long from = lastDelivered.get(conversation) + 1;
        long missing = waiting.get(conversation).firstKey() - from;
        try {
            peer.send(new GetHistory(conversation, from, false, (int) Math.min(missing, GAP_FETCH)));
            histories.add(new HistoryWait(conversation, null));
        } catch (IOException e) {
            // Dropped: the fetch is made again once back, from what is waiting then.
        }
    }

    /** A fetch of missing messages came back: delivers them, and reports what the server no longer has. */
    private void filled(History history) {
        long conversation = history.conversationId();
        long last = lastDelivered.get(conversation);
        if (history.firstSequence() > last + 1) {
            long to = history.firstSequence() - 1;
            TreeMap<Long, Message> later = waiting.get(conversation);
            if (later != null && !later.isEmpty()) {
                to = Math.min(to, later.firstKey() - 1);
            }
            listener.onGap(conversation, last + 1, to);
            lastDelivered.put(conversation, to);
        }
        for (Message message : history.messages()) {
            if (message.sequence() == lastDelivered.get(conversation) + 1) {
                deliver(message);
            }
        }
        deliverWaiting(conversation);
    }

    private void failWaiting(Error error) {
        Registration pending = registration;
        String request = error.request();
        if (pending != null && request.equals(Register.class.getSimpleName())) {
            if (isReconnecting()) {
                scheduleAttempt(false);
                return;
            }
            registration = null;
            pending.result().completeExceptionally(new ImException(error));
        } else if (request.equals(SendMessage.class.getSimpleName())) {
            PendingSend refused = unacknowledged.remove(error.clientMessageId());
            if (refused != null) {
                refused.accepted().completeExceptionally(new ImException(error));
            }
        } else if (request.equals(ListConversations.class.getSimpleName())) {
            var listing = listings.poll();
            if (listing != null) {
                listing.completeExceptionally(new ImException(error));
            }
        } else if (request.equals(GetHistory.class.getSimpleName())) {
            HistoryWait wait = histories.poll();
            if (wait != null && wait.result() != null) {
                wait.result().completeExceptionally(new ImException(error));
            } else if (wait != null) {
                giveUpFilling(wait.conversationId());
            }
        }
    }

    /** The server would not fill a gap: delivers what waited, telling the listener what is missing. */
    private void giveUpFilling(long conversation) {
        TreeMap<Long, Message> later = waiting.remove(conversation);
        if (later == null) {
            return;
        }
        for (Message message : later.values()) {
            long last = lastDelivered.get(conversation);
            if (message.sequence() > last + 1) {
                listener.onGap(conversation, last + 1, message.sequence() - 1);
            }
            deliver(message);
        }
    }

    private void disconnected(Peer from, ConnectionClosedException cause) {
        lock.lock();
        try {
            if (from != peer) {
                return;
            }
            for (var listing = listings.poll(); listing != null; listing = listings.poll()) {
                listing.completeExceptionally(cause);
            }
            for (var wait = histories.poll(); wait != null; wait = histories.poll()) {
                if (wait.result() != null) {
                    wait.result().completeExceptionally(cause);
                }
            }
            if (closing || policy.maxAttempts() == 0 || registered == null) {
                Registration pending = registration;
                if (pending != null) {
                    registration = null;
                    pending.result().completeExceptionally(cause);
                }
                giveUp(cause);
                return;
            }
            if (!isReconnecting()) {
                listener.onReconnecting(cause);
            }
            scheduleAttempt(true);
        } finally {
            lock.unlock();
        }
    }

    /** Holding the lock: the next try, after its backoff, reconnecting first if {@code reconnect}. */
    private void scheduleAttempt(boolean reconnect) {
        attempt++;
        if (attempt > policy.maxAttempts()) {
            giveUp(new ConnectionClosedException(ConnectionClosedException.Reason.CLOSED_BY_PEER,
                    "could not get back to the server in " + policy.maxAttempts() + " attempts"));
            return;
        }
        long bound = policy.delayMillis(attempt);
        long delay = bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1);
        int thisAttempt = attempt;
        Runnable next = reconnect ? () -> reconnect(thisAttempt) : this::registerAgain;
        CompletableFuture.runAsync(next, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, RECONNECTS));
    }

    /** On a reconnect thread: connects to the next server and registers again. */
    private void reconnect(int thisAttempt) {
        SocketAddress server = servers.get((thisAttempt - 1) % servers.size());
        Peer fresh;
        try {
            fresh = endpoint.connect(transport, server);
        } catch (IOException e) {
            lock.lock();
            try {
                if (!closing && !gaveUp) {
                    scheduleAttempt(true);
                }
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            if (closing || gaveUp) {
                fresh.close();
                return;
            }
            peer = fresh;
            if (!fresh.isOpen()) {
                scheduleAttempt(true);
                return;
            }
        } finally {
            lock.unlock();
        }
        registerAgain();
    }

    /** Sends the registration again, naming where each conversation resumes. */
    private void registerAgain() {
        lock.lock();
        try {
            if (closing || gaveUp) {
                return;
            }
            var request = new Register(registered.username(), registered.status(), registered.password(),
                    ImProtocol.VERSION, lastDelivered);
            registration = new Registration(request, new CompletableFuture<>());
            peer.send(request);
        } catch (IOException e) {
            // Dropped again: disconnected() schedules the next attempt.
        } finally {
            lock.unlock();
        }
    }

    /** Holding the lock, registered again: resends what was not acknowledged, and fetches what still waits. */
    private void reconnected() {
        attempt = 0;
        listener.onReconnected();
        try {
            for (PendingSend pending : unacknowledged.values()) {
                peer.send(pending.request());
            }
        } catch (IOException e) {
            // Dropped again: they are sent after the next reconnect.
        }
        for (long conversation : new ArrayList<>(waiting.keySet())) {
            fetchMissing(conversation);
        }
    }

    /** Ends the client for good, failing what still waits. */
    private void giveUp(ConnectionClosedException cause) {
        lock.lock();
        try {
            if (gaveUp) {
                return;
            }
            gaveUp = true;
            attempt = 0;
            unacknowledged.values().forEach(pending -> pending.accepted().completeExceptionally(cause));
            unacknowledged.clear();
            listener.onDisconnected(cause);
            finished.complete(cause);
        } finally {
            lock.unlock();
        }
    }
}
