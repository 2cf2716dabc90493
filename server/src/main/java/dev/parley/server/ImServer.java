package dev.parley.server;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.im.Error;
import dev.parley.im.GetHistory;
import dev.parley.im.Goodbye;
import dev.parley.im.ImEvent;
import dev.parley.im.ImProtocol;
import dev.parley.im.ImRequest;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.im.SendMessage;
import dev.parley.server.store.Appended;
import dev.parley.server.store.Change;
import dev.parley.server.store.ChangePage;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.HistoryPage;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

/**
 * The instant-messaging server: users register under a unique name, invite each other into
 * conversations and post messages there, over any {@link Transport}. See the protocol table in
 * the project's DESIGN.md; every refusal is an {@link Error} naming the request, and the server
 * carries on. A {@link Goodbye} signs the user off: out of every conversation (ending those left
 * empty) and the online list, and everyone is told. After a goodbye the connection stays open
 * until the client closes it, and may register again.
 *
 * <p><b>Resume.</b> A connection that closes without a goodbye leaves its user in place for
 * {@link ServerOptions#resumeWindow()}: online with the same status, in the same conversations,
 * nobody told anything. A connection that registers under that name meanwhile takes the place
 * back. After the window the user is signed off as by a goodbye. A {@link Register} may name,
 * for each conversation, the last sequence number its client delivered ({@link Register#resumeFrom()}):
 * the server then sends every later message of those it is a member of, in order, before any new
 * one (and an {@link Error} for each it is no longer in). The same holds after a restart on a
 * store that kept the conversations.
 *
 * <p>A user who registers gets the whole online list at once ({@link OnlineUsers}, themselves
 * included). Every change to it (a registration, a status change, a sign-off) is then gathered for
 * {@link ServerOptions#presenceDelay()}, the latest state of each user winning, and sent to every
 * registered user as one {@link OnlineUsersChanged} (see {@link PresenceBatcher}). Every
 * {@link ServerOptions#onlineBroadcastPeriod()} everyone gets the whole list again.
 *
 * <p>Each connection has a request budget ({@link ServerOptions#messagesPerSecond()} and
 * {@link ServerOptions#messageBurst()}): a request over it is answered with an {@link Error}
 * starting "slow down" and not carried out, and after {@link ServerOptions#maxRefusedInARow()} such
 * refusals in a row the client is told it is being sent away and its connection is closed.
 *
 * <p>With {@link ServerOptions#accounts() accounts}, a {@code Register} must carry the password of
 * the account of that name. At most {@link ServerOptions#maxConcurrentPasswordChecks()} passwords are
 * checked at once, server-wide, never on a thread that serves clients; past that the {@code Register}
 * is refused at once as "busy". A check costs the same whether or not the account exists. A wrong
 * password and a name without an account get the same {@link Error}, {@value #WRONG_CREDENTIALS},
 * after {@link ServerOptions#failedLoginDelay()}: the connection's other requests are answered
 * meanwhile (with "register first"), and other clients never wait. Whether the name is taken is only
 * said to a client that gave its account's password. Without accounts, the password is ignored.
 *
 * <p><b>Storage.</b> Conversations, their members, invitations (per user) and messages live in a
 * {@link ChatStore}, so that a server restarted on the same store carries on where it stopped:
 * same conversations, same ids, same history; a user who registers again is a member of what they
 * were in. A message is numbered and stamped by the store, and <em>accepted</em> once the store
 * has it durably: only then is it sent to the members, in sequence order, the sender's own copy
 * being its acknowledgement. A resend with the same client message id is answered with the first
 * one's copy, to the sender alone. A store that fails refuses the request with an {@link Error}
 * ("not stored: ...") and the server carries on. Members page through history with
 * {@link GetHistory}.
 *
 * <p><b>Several nodes.</b> On a {@link SharedStore}, the server is one node of several that act as
 * one server (see {@link ClusterNode}): it follows the conversations with members connected to it,
 * sending each member every message from the store's feed, once and in the store's order, whichever
 * node took it (its own too); invitations, joins and leaves made on any node reach the others the
 * same way. Everyone sees one online list: each node publishes its users in the store and makes the
 * changes others publish into the same batched {@link OnlineUsersChanged}. A node that dies stops
 * renewing its lease: its users go offline everywhere within {@link ServerOptions#nodeLease()} plus
 * {@link ServerOptions#nodeSyncPeriod()} plus {@link ServerOptions#presenceDelay()}, unless they came
 * back on another node first: a {@link Register} that names conversations to resume from takes a
 * user over from the node they were on (whose connection, if still open, is told and closed); one
 * that names none finds the name taken while that user is online on another node.
 *
 * <p>Logs, at info, one line per connection, registration, refused password, goodbye, vanished
 * client and client sent away for flooding; never a password.
 *
 * <pre>{@code
 * try (ImServer server = ImServer.start(Transport.byName("tcp"),
 *         new InetSocketAddress(ImProtocol.DEFAULT_PORT), ServerOptions.defaults())) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> The server is a shell around three pieces, each with its own thread contract:
 * the {@link Gate} (request budgets and passwords), the {@link ChatCore} (the chat's state and rules,
 * with no thread or I/O of its own) and the {@link PresenceBatcher} (changes to the online list). It
 * owns their threads: requests are handled on the thread that delivers their connection's frames
 * (see {@link Endpoint}), stored messages sent to members on a thread of their own
 * ({@code parley-im-fanout}, taking them in the order the store acknowledges them, so that the
 * store's threads never wait for the server's lock), passwords checked on the password threads
 * ({@code parley-im-password-N}), and the changes to the online list, the periodic online-users
 * broadcast, resume windows running out and delayed refusals on a timer thread of its own
 * ({@code parley-im-timer}); on a {@link SharedStore}, what the store's feeds and online list say is
 * read on the node's own thread ({@link ClusterNode}). All state sits behind one server-wide lock.
 * One lock rather than one per conversation because a goodbye touches every conversation of a user
 * and the online list at once, and correctness comes first: under it, every member of a conversation
 * sees its messages in the same order, and everyone sees online lists in the order they changed. The
 * lock is held only to update state and queue events ({@link Endpoint#broadcast}, which never waits:
 * a client too slow to take them is dropped); replies to the requester alone are sent after it is
 * released, so a client that does not read holds up only itself.
 *
 * <p>Thread-safe. {@link #close()} stops the timer and password threads (and the node's), closes
 * every client and then the store.
 */
public final class ImServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImServer.class);

    /** The one answer to a wrong password and to a name without an account alike. */
    static final String WRONG_CREDENTIALS = "wrong username or password";

    private final ServerOptions options;
    private final ChatStore store;
    private final Clients clients = new EndpointClients();
    private final PresenceBatcher presence;
    private final ChatCore core;
    private final Gate gate;
    private final Endpoint endpoint;
    private final Server server;
    /** Null when no option needs it. */
    private final ScheduledExecutorService timer;
    /** Null on an open server. */
    private final ExecutorService passwordThreads;
    /** Sends stored messages to members, one after another in the order the store acknowledged them. */
    private final ExecutorService fanout;
    /** On a {@link SharedStore}, this node's part in following it; null on a store of one node. */
    private final ClusterNode node;

    /** Guards the state of the core, the gate and presence batching, and {@link #closed}. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The session of each open connection: read by its delivery thread without the lock. */
    private final Map<Peer, Session> sessions = new ConcurrentHashMap<>();
    private final String transportName;
    private final Tally tally = new Tally();
    private final Traffic traffic = new Traffic();
    private boolean closed;

    private ImServer(Transport transport, SocketAddress address, ServerOptions options, LongSupplier nanoClock,
                     BiPredicate<String, String> passwordCheck, ChatStore store) throws IOException {
        this.options = options;
        this.store = store;
        this.transportName = transport.name();
        this.presence = new PresenceBatcher(options.presenceDelay(), lock, this::schedule, clients);
        String nodeId = store instanceof SharedStore ? ClusterNode.nodeId(options) : null;
        this.core = new ChatCore(options, store, nodeId, clients, presence, this::handedOver, nanoClock);
        this.passwordThreads = passwordCheck == null ? null : Executors.newFixedThreadPool(
                options.maxConcurrentPasswordChecks(), Thread.ofPlatform().daemon().name("parley-im-password-", 1).factory());
        this.gate = new Gate(options, nanoClock, lock, clients, this::schedule, core, passwordCheck, passwordThreads,
                tally);
        this.endpoint = Endpoint.builder(Codec.defaults())
                .on(ImRequest.class, this::handle)
                .onUnhandled(this::unexpected)
                .onOpen(this::opened)
                .onClose(this::closed)
                .build();
        boolean broadcasts = !options.onlineBroadcastPeriod().isZero();
        boolean delaysPresence = !options.presenceDelay().isZero();
        boolean resumes = !options.resumeWindow().isZero();
        this.timer = broadcasts || delaysPresence || passwordCheck != null || resumes ? Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("parley-im-timer").factory()) : null;
        this.fanout = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("parley-im-fanout").factory());
        try {
            this.node = store instanceof SharedStore shared ? ClusterNode.start(shared, nodeId, options, new Followers()) : null;
        } catch (StoreException e) {
            stopThreads();
            throw new IOException("cannot reach the store: " + e.getMessage(), e);
        }
        try {
            this.server = endpoint.listen(transport, address);
        } catch (IOException | RuntimeException e) {
            stopThreads();
            throw e;
        }
        if (broadcasts) {
            long period = options.onlineBroadcastPeriod().toNanos();
            timer.scheduleAtFixedRate(() -> presence.broadcastWholeList(core), period, period, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Starts a server listening on {@code transport} at {@code address} (port 0 picks a free port),
     * keeping conversations in memory only.
     *
     * @throws IOException if the address cannot be bound, for example because the port is taken
     */
    public static ImServer start(Transport transport, SocketAddress address, ServerOptions options) throws IOException {
        return start(transport, address, options, System::nanoTime);
    }

    /**
     * As {@link #start(Transport, SocketAddress, ServerOptions)}, keeping conversations in {@code store},
     * which the server closes when it closes (or fails to start).
     *
     * @throws IOException if the address cannot be bound, or the store cannot be read (a {@link StoreException} cause)
     */
    public static ImServer start(Transport transport, SocketAddress address, ServerOptions options, ChatStore store)
            throws IOException {
        Accounts accounts = options.accounts();
        return start(transport, address, options, System::nanoTime, accounts == null ? null : accounts::verify, store);
    }

    /** As {@link #start(Transport, SocketAddress, ServerOptions)}, with the rate limit's clock, in nanoseconds. */
    static ImServer start(Transport transport, SocketAddress address, ServerOptions options, LongSupplier nanoClock)
            throws IOException {
        Accounts accounts = options.accounts();
        return start(transport, address, options, nanoClock, accounts == null ? null : accounts::verify);
    }

    /**
     * As {@link #start(Transport, SocketAddress, ServerOptions, LongSupplier)}, checking passwords
     * with {@code passwordCheck} (username, password), or open if it is null; options' accounts unused.
     */
    static ImServer start(Transport transport, SocketAddress address, ServerOptions options, LongSupplier nanoClock,
                          BiPredicate<String, String> passwordCheck) throws IOException {
        return start(transport, address, options, nanoClock, passwordCheck, MemoryStore.create(StoreOptions.defaults()));
    }

    /** As the method above, keeping conversations in {@code store}. */
    static ImServer start(Transport transport, SocketAddress address, ServerOptions options, LongSupplier nanoClock,
                          BiPredicate<String, String> passwordCheck, ChatStore store) throws IOException {
        try {
            return new ImServer(transport, address, options, nanoClock, passwordCheck, store);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The address actually bound. */
    public SocketAddress localAddress() {
        return server.localAddress();
    }

    /** The settings this server runs with. */
    public ServerOptions options() {
        return options;
    }

    /** A snapshot of the registered users and their statuses (on a shared store, of every node, as last read). */
    public Map<String, String> onlineUsers() {
        lock.lock();
        try {
            return core.onlineList();
        } finally {
            lock.unlock();
        }
    }

    /** The users in their resume window now, the one held longest first. */
    List<String> heldUsers() {
        lock.lock();
        try {
            return core.heldUsers();
        } finally {
            lock.unlock();
        }
    }

    /** How many client connections are open right now, registered or not. */
    public int connectionCount() {
        return server.connectionCount();
    }

    /** How many conversations are ongoing right now. */
    public int conversationCount() {
        lock.lock();
        try {
            return core.conversationCount();
        } finally {
            lock.unlock();
        }
    }

    /**
     * What this server holds now and has done since it started, for monitoring ({@link ImServerMetrics}
     * publishes it). Adds up the open connections' own counters, so it costs a pass over them: meant
     * for a scrape every few seconds, not for every message.
     */
    public ServerStatistics statistics() {
        int registered;
        int held;
        int conversations;
        lock.lock();
        try {
            registered = core.registeredCount();
            held = core.heldCount();
            conversations = core.conversationCount();
        } finally {
            lock.unlock();
        }
        Traffic.Totals totals = traffic.totals();
        return new ServerStatistics(transportName, server.connectionCount(), registered, held, conversations,
                tally.messagesAccepted(), tally.refusals(), totals.framesReceived(), totals.framesSent(),
                totals.bytesReceived(), totals.bytesSent(), totals.packetsRetransmitted(), totals.meanRttMicros(),
                totals.maxRttMicros());
    }

    /** Stops the periodic broadcast and closes every client gracefully. Idempotent; never waits long. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        stopThreads();
        server.close();
        store.close();
        log.info("server on {} stopped", localAddress());
    }

    private void stopThreads() {
        if (node != null) {
            node.close();
        }
        fanout.shutdownNow();
        if (timer != null) {
            timer.shutdownNow();
        }
        if (passwordThreads != null) {
            passwordThreads.shutdownNow();
        }
    }

    /** On the timer thread, after {@code delay}. */
    private void schedule(Runnable task, Duration delay) {
        timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void opened(Peer peer) {
        log.info("connection from {} over {}", peer.remoteAddress(), peer.connection().transportName());
        sessions.put(peer, new Session(peer, peer.remoteAddress(), gate.newBudget()));
        traffic.opened(peer.connection());
    }

    private void closed(Peer peer, ConnectionClosedException cause) {
        traffic.closed(peer.connection());
        lock.lock();
        try {
            Session session = sessions.remove(peer);
            if (session == null) {
                return;
            }
            session.closed = true;
            // Closing, the server keeps its users' memberships in the store for when it is started again.
            if (!closed && core.disconnected(session, cause.getMessage())) {
                schedule(() -> expire(session), options.resumeWindow());
            }
        } finally {
            lock.unlock();
        }
    }

    /** On the timer: signs off a user who did not come back within the resume window. */
    private void expire(Session session) {
        lock.lock();
        try {
            core.expire(session);
        } finally {
            lock.unlock();
        }
    }

    private void handle(Peer peer, ImRequest request) {
        Session session = sessions.get(peer);
        if (!gate.withinRate(session, request)) {
            return;
        }
        if (request instanceof Register register && gate.checksPasswords()) {
            gate.logIn(session, register);
            return;
        }
        ImEvent reply;
        try {
            lock.lock();
            try {
                reply = core.apply(session, request);
            } finally {
                lock.unlock();
            }
            if (reply == null) {
                reply = core.readFromStore(request);
            }
        } catch (StoreException failure) {
            log.warn("store failed for {}: {}", ImProtocol.requestName(request), failure.getMessage());
            tally.refused(Refusal.Cause.NOT_STORED);
            reply = Refusal.error(request, "not stored: " + failure.getMessage());
        } catch (Refusal refusal) {
            tally.refused(refusal.cause());
            reply = Refusal.error(request, refusal.getMessage());
        }
        if (reply != null) {
            clients.reply(session, reply, ImProtocol.requestName(request));
        }
    }

    /** A non-request record (an {@link ImEvent} sent back, say) is answered, not obeyed. */
    private void unexpected(Peer peer, Object message) {
        Session session = sessions.get(peer);
        String name = message.getClass().getSimpleName();
        if (gate.withinRate(session, message)) {
            tally.refused(Refusal.Cause.UNEXPECTED);
            clients.reply(session, new Error("not a request: " + name, name), name);
        }
    }

    /** Holding the lock: the store took {@code sender}'s {@code send}; once it answers, the fan-out thread sends it on. */
    private void handedOver(Session sender, SendMessage send, CompletionStage<Appended> appended) {
        appended.whenCompleteAsync((done, failure) -> stored(sender, send, done, failure), fanout);
    }

    /** On the fan-out thread: sends a message the store has taken to whom it is due. */
    private void stored(Session sender, SendMessage send, Appended appended, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            tally.refused(Refusal.Cause.NOT_STORED);
            lock.lock();
            try {
                core.appendFailed(sender, send, cause);
            } finally {
                lock.unlock();
            }
            return;
        }
        if (!appended.duplicate()) {
            tally.accepted();
        }
        long conversationId = appended.message().conversationId();
        if (node != null && !appended.duplicate()) {
            // The feed sends it, in the store's order with what other nodes took: its hint carries it,
            // or the node reads it.
            node.appended(conversationId, appended.message().sequence());
            return;
        }
        long gap;
        lock.lock();
        try {
            gap = core.stored(sender, appended);
        } finally {
            lock.unlock();
        }
        if (gap > 0) {
            fillGap(conversationId, gap);
        }
    }

    /**
     * On the fan-out thread: reads from the store the messages from number {@code from} on, which
     * later ones wait for after an append failed (a store that lost its connection may have stored
     * it all the same), and has the core send those now due.
     */
    private void fillGap(long conversationId, long from) {
        HistoryPage page;
        try {
            page = store.history(conversationId, from, ChatStore.Direction.NEWER, Integer.MAX_VALUE);
        } catch (StoreException e) {
            log.warn("cannot read conversation {} to fill a gap at {}: {}", conversationId, from, e.getMessage());
            return; // the next message stored tries again
        }
        lock.lock();
        try {
            core.fillGap(conversationId, page);
        } finally {
            lock.unlock();
        }
    }

    /** The clients as this server's endpoint reaches them. */
    private final class EndpointClients implements Clients {

        @Override
        public void broadcast(List<Session> to, ImEvent event) {
            if (closed) {
                return;
            }
            List<Peer> peers = new ArrayList<>(to.size());
            for (Session session : to) {
                peers.add(session.peer);
            }
            try {
                endpoint.broadcast(peers, event);
            } catch (IllegalArgumentException e) {
                log.warn("could not broadcast {} to {} clients: {}", event.getClass().getSimpleName(), peers.size(),
                        e.getMessage());
            }
        }

        /** An answer too long to encode (only a huge listing can be) becomes an {@link Error} saying so. */
        @Override
        public void reply(Session to, ImEvent event, String request) {
            try {
                to.peer.send(event);
            } catch (IllegalArgumentException e) {
                log.warn("{}: {} not sent: {}", to.peer, event.getClass().getSimpleName(), e.getMessage());
                if (!(event instanceof Error)) {
                    reply(to, new Error(event.getClass().getSimpleName() + " too long to send", request), request);
                }
            } catch (InterruptedIOException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                log.debug("{}: {} not sent: {}", to.peer, event.getClass().getSimpleName(), e.getMessage());
            }
        }

        @Override
        public void close(Session session) {
            session.peer.close();
        }
    }

    /** What the {@link ClusterNode} read, applied by the core under the lock. */
    private final class Followers implements ClusterNode.Followers {

        @Override
        public Set<Long> followed() {
            lock.lock();
            try {
                return core.followed();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long cursor(long conversationId) {
            lock.lock();
            try {
                return core.cursor(conversationId);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean sent(long conversationId, long sequence) {
            lock.lock();
            try {
                return core.sent(conversationId, sequence);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean apply(long conversationId, long after, ChangePage page) throws StoreException {
            lock.lock();
            try {
                return !closed && core.applyChanges(conversationId, after, page);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void created(List<Change.Created> created) {
            lock.lock();
            try {
                core.created(created);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void presence(Map<String, Presence> presence, long readAt, boolean republish) {
            List<Session> toClose;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                toClose = core.presence(presence, readAt, republish);
            } finally {
                lock.unlock();
            }
            toClose.forEach(clients::close);
        }
    }
}
