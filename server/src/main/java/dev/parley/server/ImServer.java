package dev.parley.server;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.GetHistory;
import dev.parley.im.History;
import dev.parley.im.Goodbye;
import dev.parley.im.ImEvent;
import dev.parley.im.ImProtocol;
import dev.parley.im.ImRequest;
import dev.parley.im.Invitation;
import dev.parley.im.Invite;
import dev.parley.im.Join;
import dev.parley.im.Leave;
import dev.parley.im.ListConversations;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.im.SendMessage;
import dev.parley.im.StatusChange;
import dev.parley.server.store.Appended;
import dev.parley.server.store.Change;
import dev.parley.server.store.ChangePage;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ConversationSnapshot;
import dev.parley.server.store.HistoryPage;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.StoredMessage;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

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
 * registered user as one {@link OnlineUsersChanged}, encoded once: n users coming online cost about
 * n broadcasts of what changed, not n broadcasts of the whole list. A change restates the current
 * state of each user it names, so one that reaches a user who registered after it was made, and
 * whose snapshot already holds it, changes nothing. Every {@link ServerOptions#onlineBroadcastPeriod()}
 * everyone gets the whole list again.
 *
 * <p>Each connection has a request budget ({@link ServerOptions#messagesPerSecond()} and
 * {@link ServerOptions#messageBurst()}): a request over it is answered with an {@link Error}
 * starting "slow down" and not carried out, and after {@link ServerOptions#maxRefusedInARow()} such
 * refusals in a row the client is told it is being sent away and its connection is closed.
 *
 * <p>With {@link ServerOptions#accounts() accounts}, a {@code Register} must carry the password of
 * the account of that name. The password is checked on a thread of a small pool of its own (at most
 * {@link ServerOptions#maxConcurrentPasswordChecks()} at once, server-wide; past that the
 * {@code Register} is refused at once as "busy"), never on a thread that serves clients, and costs
 * the same whether or not the account exists. A wrong password and a name without an account get the
 * same {@link Error}, {@value #WRONG_CREDENTIALS}, after {@link ServerOptions#failedLoginDelay()},
 * sent by a timer: the connection's other requests are answered meanwhile (with "register first"),
 * and other clients never wait. Whether the name is taken is only said to a client that gave its
 * account's password. Without accounts, the password is ignored.
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
 * <p><b>Threads.</b> Requests are handled on the thread that delivers their connection's frames
 * (see {@link Endpoint}), stored messages sent to members on a thread of their own
 * ({@code parley-im-fanout}, taking them in the order the store acknowledges them, so that the
 * store's threads never wait for the server's lock), passwords checked on the password threads, the changes to the online list,
 * the periodic online-users broadcast and delayed refusals sent on a timer thread of its own. All
 * state sits behind one server-wide lock. One lock rather than one per conversation because a
 * goodbye touches every conversation of a user and the online list at once, and correctness comes
 * first: under it, every member of a conversation sees its messages in the same order, and
 * everyone sees online lists in the order they changed. The lock is held only to update state and
 * queue events ({@link Endpoint#broadcast}, which never waits: a client too slow to take them is
 * dropped); replies to the requester alone are sent after it is released, so a client that does
 * not read holds up only itself. A {@link GetHistory} is checked under the lock and read from the
 * store after it is released; the store's other synchronous calls (create, join, leave,
 * invitations, the history a resuming {@link Register} is sent) still run under it.
 *
 * On a {@link SharedStore}, what the store's feeds and online list say is read on the node's own
 * thread ({@link ClusterNode}) and applied under the lock; the messages a node's own users send are
 * sent to members from the feed too, never from the store's acknowledgement, so that every member
 * gets one order; the listing of conversations is read from the store after the lock is released.
 *
 * <p>Thread-safe. {@link #close()} stops the timer and password threads (and the node's), closes
 * every client and then the store.
 */
public final class ImServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImServer.class);

    /** Most conversation ids one "not resumed" answer names. */
    private static final int NOT_RESUMED_NAMED = 10;

    /** Most history pages sent to a client resuming one conversation: with retention, a bound it never reaches. */
    private static final int MAX_RESUME_PAGES = 100_000;

    /** The one answer to a wrong password and to a name without an account alike. */
    static final String WRONG_CREDENTIALS = "wrong username or password";

    private final ServerOptions options;
    private final Rules rules;
    private final Endpoint endpoint;
    private final Server server;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoClock;
    /** Null on an open server, as are the two below. */
    private final BiPredicate<String, String> passwordCheck;
    private final ExecutorService passwordThreads;
    private final Semaphore passwordChecks;
    private final ChatStore store;
    /** Sends stored messages to members, one after another in the order the store acknowledged them. */
    private final ExecutorService fanout;
    /** On a {@link SharedStore}, this node's part in following it; null on a store of one node. */
    private final ClusterNode node;

    private final ReentrantLock lock = new ReentrantLock();
    // Everything below is guarded by lock.
    private final Map<Peer, Session> sessions = new HashMap<>();
    private final Map<String, Session> online = new LinkedHashMap<>();
    /** The registered users by {@link Rules#lookAlike}, so that a registration need not fold every name online. */
    private final Map<String, Session> onlineLookAlikes = new HashMap<>();
    /** Changes to the online list not yet sent: users now online, with their status, and users gone. */
    private final Map<String, String> changedOnline = new LinkedHashMap<>();
    private final Set<String> changedOffline = new LinkedHashSet<>();
    private boolean presenceFlushScheduled;
    private final Map<Long, Conversation> conversations = new TreeMap<>();
    /** Users in their resume window, the one held longest first; at most {@link ServerOptions#maxHeldUsers()}. */
    private final SequencedSet<Session> held = new LinkedHashSet<>();
    /** The conversations each user is a member of, by {@link Rules#key}, online or not. */
    private final Map<String, Set<Conversation>> memberships = new HashMap<>();
    /** On a shared store, the users online on other nodes, by {@link Rules#key}; and by {@link Rules#lookAlike}. */
    private final Map<String, Presence> remote = new HashMap<>();
    private final Map<String, String> remoteLookAlikes = new HashMap<>();
    /**
     * On a shared store, the conversations created here whose invitations this node's users were
     * given at once, until the feed of created conversations brings them (the other nodes tell
     * theirs from it) or this node stops following them: at most one per followed conversation.
     */
    private final Set<Long> invitedHere = new HashSet<>();
    private boolean closed;

    private ImServer(Transport transport, SocketAddress address, ServerOptions options, LongSupplier nanoClock,
                     BiPredicate<String, String> passwordCheck, ChatStore store) throws IOException {
        this.options = options;
        this.store = store;
        if (!(store instanceof SharedStore)) {
            load();
        }
        this.nanoClock = nanoClock;
        this.rules = new Rules(options);
        this.passwordCheck = passwordCheck;
        if (passwordCheck == null) {
            this.passwordThreads = null;
            this.passwordChecks = null;
        } else {
            this.passwordThreads = Executors.newFixedThreadPool(options.maxConcurrentPasswordChecks(),
                    Thread.ofPlatform().daemon().name("parley-im-password-", 1).factory());
            this.passwordChecks = new Semaphore(options.maxConcurrentPasswordChecks());
        }
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
            this.node = store instanceof SharedStore shared ? ClusterNode.start(shared, options, new Followers()) : null;
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
            timer.scheduleAtFixedRate(this::broadcastOnlineUsers, period, period, TimeUnit.NANOSECONDS);
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

    /** Takes the conversations and memberships the store kept. */
    private void load() throws IOException {
        try {
            for (var entry : store.conversations().entrySet()) {
                long id = entry.getKey();
                long last = store.history(id, Long.MAX_VALUE, ChatStore.Direction.OLDER, 0).lastSequence();
                var conversation = new Conversation(id, last);
                conversations.put(id, conversation);
                entry.getValue().forEach(member -> addMember(conversation, member));
            }
        } catch (StoreException e) {
            throw new IOException("cannot read the store: " + e.getMessage(), e);
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
            return onlineSnapshot();
        } finally {
            lock.unlock();
        }
    }

    /** The users in their resume window now, the one held longest first. */
    List<String> heldUsers() {
        lock.lock();
        try {
            return held.stream().map(session -> session.username).toList();
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
            return conversations.size();
        } finally {
            lock.unlock();
        }
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

    private void opened(Peer peer) {
        log.info("connection from {} over {}", peer.remoteAddress(), peer.connection().transportName());
        lock.lock();
        try {
            sessions.put(peer, new Session(peer, new RateLimit(options.messagesPerSecond(), options.messageBurst(),
                    options.maxRefusedInARow(), nanoClock.getAsLong())));
        } finally {
            lock.unlock();
        }
    }

    private void closed(Peer peer, ConnectionClosedException cause) {
        lock.lock();
        try {
            Session session = sessions.remove(peer);
            // Closing, the server keeps its users' memberships in the store for when it is started again.
            if (session != null && session.isRegistered() && !closed) {
                if (options.resumeWindow().isZero()) {
                    log.info("{} disconnected without goodbye: {}", session.username, cause.getMessage());
                    signOff(session);
                } else {
                    log.info("{} disconnected without goodbye: {}; keeping their place for {}", session.username,
                            cause.getMessage(), options.resumeWindow());
                    hold(session);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keeps {@code session}'s place for the resume window, first signing off the user held longest if at the limit. */
    private void hold(Session session) {
        if (held.size() >= options.maxHeldUsers()) {
            Session longest = held.getFirst();
            log.info("{} signed off before their resume window ran out: {} users held, the most there may be",
                    longest.username, held.size());
            signOff(longest);
        }
        session.detached = true;
        session.changedAt = nanoClock.getAsLong();
        held.add(session);
        publish(session);
        timer.schedule(() -> expire(session), options.resumeWindow().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** On the timer: signs off a user who did not come back within the resume window. */
    private void expire(Session session) {
        lock.lock();
        try {
            if (session.detached && session.isRegistered() && online.get(Rules.key(session.username)) == session) {
                log.info("{} did not come back within {}: signed off", session.username, options.resumeWindow());
                signOff(session);
            }
        } finally {
            lock.unlock();
        }
    }

    private void handle(Peer peer, ImRequest request) {
        if (!withinRate(peer, request)) {
            return;
        }
        if (request instanceof Register register && passwordCheck != null) {
            logIn(peer, register);
            return;
        }
        ImEvent reply;
        try {
            lock.lock();
            try {
                reply = apply(sessions.get(peer), request);
            } finally {
                lock.unlock();
            }
            if (request instanceof GetHistory get) {
                // Checked under the lock, read outside it: a slow store holds up only this connection.
                reply = readHistory(get);
            } else if (request instanceof ListConversations && node != null) {
                reply = new Conversations(store.conversations());
            }
        } catch (StoreException failure) {
            log.warn("store failed for {}: {}", ImProtocol.requestName(request), failure.getMessage());
            reply = refusal(request, "not stored: " + failure.getMessage());
        } catch (Refusal refusal) {
            reply = refusal(request, refusal.getMessage());
        }
        if (reply != null) {
            reply(peer, reply, ImProtocol.requestName(request));
        }
    }

    /**
     * Checks the password of {@code register} on a password thread, if one is free and the request
     * is well-formed; otherwise refuses it at once.
     */
    private void logIn(Peer peer, Register register) {
        String request = ImProtocol.requestName(register);
        Session session;
        Error refusal = null;
        lock.lock();
        try {
            session = sessions.get(peer);
            try {
                checkLogIn(session, register);
                session.checkingPassword = true;
            } catch (Refusal refused) {
                refusal = new Error(refused.getMessage(), request);
            }
        } finally {
            lock.unlock();
        }
        if (refusal != null) {
            reply(peer, refusal, request);
            return;
        }
        try {
            passwordThreads.execute(() -> checkPassword(session, register));
        } catch (RejectedExecutionException closing) {
            passwordChecks.release();
        }
    }

    /** Refuses a {@code Register} that needs no password check to be refused; takes a password thread. */
    private void checkLogIn(Session session, Register register) throws Refusal {
        if (session.isRegistered()) {
            throw new Refusal("already registered as " + session.username);
        }
        if (session.checkingPassword) {
            throw new Refusal("already checking a password for this connection");
        }
        rules.checkUsername(register.username());
        rules.checkStatus(register.status());
        if (register.password().length() > Accounts.MAX_PASSWORD_LENGTH) {
            throw new Refusal("password too long (at most " + Accounts.MAX_PASSWORD_LENGTH + " characters)");
        }
        if (!passwordChecks.tryAcquire()) {
            throw new Refusal("busy checking other passwords: try again in a moment");
        }
    }

    /** On a password thread: registers the user if the password is right, else refuses after the delay. */
    private void checkPassword(Session session, Register register) {
        boolean right;
        try {
            right = passwordCheck.test(register.username(), register.password());
        } catch (RuntimeException e) {
            log.warn("could not check the password for {}: {}", Rules.echo(register.username()), e.toString());
            right = false;
        } finally {
            passwordChecks.release();
        }
        if (right) {
            finishLogIn(session, register);
            return;
        }
        log.info("wrong password or no account for {} from {}", Rules.echo(register.username()),
                session.peer.remoteAddress());
        try {
            timer.schedule(() -> refuseLogIn(session), options.failedLoginDelay().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            log.debug("server closing: refusal to {} not sent", session.peer);
        }
    }

    /** Registers {@code session} as {@code register} asks, its password being right. */
    private void finishLogIn(Session session, Register register) {
        lock.lock();
        try {
            session.checkingPassword = false;
            if (sessions.get(session.peer) == session) {
                register(session, register);
            }
        } catch (Refusal refusal) {
            broadcast(List.of(session.peer), new Error(refusal.getMessage(), ImProtocol.requestName(register)));
        } finally {
            lock.unlock();
        }
    }

    /** On the timer: tells {@code session} its password or name was wrong, if it is still connected. */
    private void refuseLogIn(Session session) {
        lock.lock();
        try {
            session.checkingPassword = false;
            if (sessions.get(session.peer) == session) {
                broadcast(List.of(session.peer), new Error(WRONG_CREDENTIALS, Register.class.getSimpleName()));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes one request named {@code request} from {@code peer}'s budget. If none is left, answers
     * "slow down", or tells the client it is sent away and closes the connection, and returns false.
     */
    private boolean withinRate(Peer peer, Object message) {
        String request = message.getClass().getSimpleName();
        RateLimit.Verdict verdict;
        lock.lock();
        try {
            verdict = sessions.get(peer).rate.take(nanoClock.getAsLong());
        } finally {
            lock.unlock();
        }
        switch (verdict) {
            case ALLOW -> {
                return true;
            }
            case REFUSE -> reply(peer, refusal(message, "slow down: at most " + options.messagesPerSecond()
                    + " requests a second, " + options.messageBurst() + " at once"), request);
            case DISCONNECT -> {
                log.info("{}: closing after {} requests in a row over the rate limit", peer, options.maxRefusedInARow());
                reply(peer, refusal(message, "too many requests over the rate limit: closing the connection"),
                        request);
                peer.close();
            }
        }
        return false;
    }

    /** Applies {@code request} to the state; returns the reply for the requester alone, if any. */
    private ImEvent apply(Session session, ImRequest request) throws Refusal, StoreException {
        if (!(request instanceof Register) && !session.isRegistered()) {
            throw new Refusal("register first");
        }
        switch (request) {
            case Register register -> register(session, register);
            case StatusChange change -> changeStatus(session, change.status());
            case Goodbye goodbye -> {
                log.info("{} said goodbye", session.username);
                signOff(session);
            }
            case Invite invite -> invite(session, invite.usernames());
            case ListConversations list -> {
                // On a shared store the listing is read after the lock is released: this node knows only some.
                return node == null ? listing() : null;
            }
            case Join join -> join(session, join.conversationId());
            case SendMessage send -> post(session, send);
            case Leave leave -> leave(session, leave.conversationId());
            case GetHistory get -> {
                membership(session, get.conversationId());
                checkHistoryRequest(get);
            }
        }
        return null;
    }

    private void register(Session session, Register register) throws Refusal {
        if (session.isRegistered()) {
            throw new Refusal("already registered as " + session.username);
        }
        String username = register.username();
        rules.checkUsername(username);
        rules.checkStatus(register.status());
        if (register.protocolVersion() != ImProtocol.VERSION) {
            throw new Refusal("protocol version " + register.protocolVersion() + " is not supported: this server speaks "
                    + "version " + ImProtocol.VERSION);
        }
        String key = Rules.key(username);
        Session away = online.get(key);
        if (away != null && away.detached) {
            takeBack(away);
        } else if (away != null) {
            throw new Refusal("username " + username + " is taken");
        }
        String lookAlike = Rules.lookAlike(username);
        Session similar = onlineLookAlikes.get(lookAlike);
        if (similar != null) {
            throw new Refusal("username " + username + " looks like " + similar.username + ", who is online");
        }
        String remoteSimilar = remoteLookAlikes.get(lookAlike);
        String similarKey = remoteSimilar == null || Rules.key(remoteSimilar).equals(key) ? null : Rules.key(remoteSimilar);
        Map<String, Presence> stillThere = confirmElsewhere(similarKey == null ? Set.of(key) : Set.of(key, similarKey));
        Presence elsewhere = stillThere.get(key);
        if (elsewhere != null && !elsewhere.detached() && register.resumeFrom().isEmpty()) {
            throw new Refusal("username " + username + " is taken");
        }
        if (similarKey != null && stillThere.containsKey(similarKey)) {
            throw new Refusal("username " + username + " looks like " + remoteSimilar + ", who is online");
        }
        String wasName = away != null ? away.username : null;
        String wasStatus = away != null ? away.status : null;
        if (node != null) {
            followConversationsOf(username);
            Presence seen = remote.get(key);
            if (seen != null) {
                // Who this node's users saw online: what they are told changed is measured from it.
                forgetRemote(key);
                wasName = seen.username();
                wasStatus = seen.status();
            }
        }
        session.username = username;
        session.status = register.status();
        session.changedAt = nanoClock.getAsLong();
        online.put(key, session);
        onlineLookAlikes.put(lookAlike, session);
        log.info("{} {} from {}", username, wasName == null ? "registered" : "came back", session.peer.remoteAddress());
        // Before the user hears it is registered: from then on, a user of any node can invite them.
        publish(session);
        // Under the lock, so that it reaches the new user before any change made after it.
        broadcast(List.of(session.peer), new OnlineUsers(onlineSnapshot()));
        if (wasName == null || !wasStatus.equals(session.status) || !wasName.equals(username)) {
            announce(session);
        }
        resume(session, register.resumeFrom());
    }

    /** Takes {@code away}'s place back for a new registration: it leaves the online list, unannounced. */
    private void takeBack(Session away) {
        online.remove(Rules.key(away.username));
        onlineLookAlikes.remove(Rules.lookAlike(away.username));
        away.detached = false;
        held.remove(away);
    }

    /**
     * Sends {@code session} each message after {@code resumeFrom}'s number in each conversation it
     * names, and after the user's join point in each other conversation the user is in (a client
     * that joined one but was sent nothing there yet has no number to name), up to the last one
     * sent to members; later ones reach it as they are sent. Under the lock, so that they come
     * before any of those.
     */
    private void resume(Session session, Map<Long, Long> resumeFrom) {
        String key = Rules.key(session.username);
        Map<Long, Long> points = new TreeMap<>(resumeFrom);
        for (Conversation conversation : memberships.getOrDefault(key, Set.of())) {
            points.putIfAbsent(conversation.id, conversation.joinedAfter.get(key));
        }
        List<Long> notMember = new ArrayList<>();
        for (var entry : points.entrySet()) {
            long id = entry.getKey();
            Conversation conversation = conversations.get(id);
            if (conversation == null || !conversation.members.containsKey(key)) {
                notMember.add(id);
                continue;
            }
            try {
                long from = Math.max(entry.getValue(), 0) + 1;
                for (int pages = 0; from <= conversation.lastSent() && pages < MAX_RESUME_PAGES; pages++) {
                    HistoryPage page = store.history(id, from, ChatStore.Direction.NEWER, Integer.MAX_VALUE);
                    List<StoredMessage> sent = page.messages().stream()
                            .filter(message -> message.sequence() <= conversation.lastSent()).toList();
                    if (sent.isEmpty()) {
                        break;
                    }
                    sent.forEach(message -> broadcast(List.of(session.peer), message(message)));
                    from = sent.getLast().sequence() + 1;
                }
            } catch (StoreException e) {
                log.warn("could not resume conversation {} for {}: {}", id, session.username, e.getMessage());
                broadcast(List.of(session.peer), new Error("not resumed: conversation " + id + ": " + e.getMessage(),
                        Register.class.getSimpleName()));
            }
        }
        if (!notMember.isEmpty()) {
            // One answer however many are named, so that a Register naming thousands costs one frame.
            String named = notMember.stream().limit(NOT_RESUMED_NAMED).map(String::valueOf)
                    .collect(Collectors.joining(", "));
            broadcast(List.of(session.peer), new Error("not resumed: no longer a member of conversation"
                    + (notMember.size() == 1 ? " " : "s ") + named
                    + (notMember.size() > NOT_RESUMED_NAMED ? " and " + (notMember.size() - NOT_RESUMED_NAMED) + " more" : ""),
                    Register.class.getSimpleName()));
        }
    }

    private void changeStatus(Session session, String status) throws Refusal {
        rules.checkStatus(status);
        session.status = status;
        cameOnline(session);
    }

    private void invite(Session inviter, List<String> usernames) throws Refusal, StoreException {
        if (usernames.isEmpty()) {
            throw new Refusal("invite at least one user");
        }
        if (usernames.size() > options.maxInvitees()) {
            throw new Refusal("too many invitees: " + usernames.size() + " (at most " + options.maxInvitees() + ")");
        }
        Set<Session> invited = new LinkedHashSet<>();
        invited.add(inviter);
        Map<String, String> notOnline = new LinkedHashMap<>();
        Set<String> invitedElsewhere = new LinkedHashSet<>();
        for (String username : usernames) {
            Session user = online.get(Rules.key(username));
            if (user != null) {
                invited.add(user);
            } else if (remote.containsKey(Rules.key(username))) {
                invitedElsewhere.add(Rules.key(username));
            } else {
                notOnline.putIfAbsent(Rules.key(username), Rules.echo(username));
            }
        }
        // Users whose sign-in on another node was answered, which this node has not read yet.
        invitedElsewhere.addAll(onlineElsewhere(notOnline.keySet()).keySet());
        notOnline.keySet().removeAll(invitedElsewhere);
        if (!notOnline.isEmpty()) {
            throw new Refusal("not online: " + String.join(", ", notOnline.values()));
        }
        if (conversations.size() >= options.maxConversations()) {
            throw new Refusal("too many conversations (at most " + options.maxConversations() + ")");
        }
        List<String> keys = new ArrayList<>(invited.stream().map(user -> Rules.key(user.username)).toList());
        keys.addAll(invitedElsewhere);
        long id = store.create(inviter.username, keys);
        var conversation = new Conversation(id, 0);
        conversations.put(id, conversation);
        addMember(conversation, inviter.username);
        if (node != null) {
            // Followed from the start of its feed, not from a snapshot: an invitee on another node
            // may join and post before this line runs, and that must reach the inviter too.
            conversation.cursor = SharedStore.NEW_FEED_CURSOR;
            // The other nodes tell their invited users from the feed of created conversations.
            invitedHere.add(id);
        }
        // At once, as one server would: before the answer to anything these users ask next.
        broadcast(invited.stream().map(user -> user.peer).toList(), new Invitation(id, inviter.username));
    }

    /**
     * On a shared store: those of users {@code keys} whom the store has online on another node now,
     * by key, whatever this node last read of them.
     */
    private Map<String, Presence> onlineElsewhere(Set<String> keys) throws StoreException {
        if (node == null || keys.isEmpty()) {
            return Map.of();
        }
        Map<String, Presence> elsewhere = new HashMap<>(shared().presence(keys));
        elsewhere.values().removeIf(entry -> entry.nodeId().equals(node.id()));
        return elsewhere;
    }

    /**
     * Those of users {@code keys} online on other nodes, by key, as the store has them now: a
     * registration is refused for a user who signed in elsewhere a moment ago, not for one who has
     * since gone. If the store cannot say, as this node last read them.
     */
    private Map<String, Presence> confirmElsewhere(Set<String> keys) {
        try {
            return onlineElsewhere(keys);
        } catch (StoreException e) {
            log.debug("cannot confirm who is online on other nodes: {}", e.getMessage());
            Map<String, Presence> seen = new HashMap<>(remote);
            seen.keySet().retainAll(keys);
            return seen;
        }
    }

    private Conversations listing() {
        Map<Long, List<String>> listing = new LinkedHashMap<>();
        conversations.values().forEach(c -> listing.put(c.id, c.memberNames()));
        return new Conversations(listing);
    }

    private void join(Session session, long id) throws Refusal, StoreException {
        Conversation conversation = node != null && !conversations.containsKey(id) ? followToJoin(id) : conversation(id);
        if (conversation.members.containsKey(Rules.key(session.username))) {
            return;
        }
        boolean joined = false;
        try {
            if (options.joinPolicy() == JoinPolicy.INVITED_ONLY && !store.isInvited(id, Rules.key(session.username))) {
                throw new Refusal("not invited to conversation " + id);
            }
            store.join(id, session.username);
            addMember(conversation, session.username);
            joined = true;
        } finally {
            if (!joined) {
                unfollowIfNoneHere(conversation);
            }
        }
    }

    /** On a shared store: starts following conversation {@code id}, which nobody here is in, to join it. */
    private Conversation followToJoin(long id) throws Refusal, StoreException {
        try {
            return follow(id);
        } catch (StoreException e) {
            if (store instanceof SharedStore shared && shared.changes(id, 0, 0).ended()) {
                throw new Refusal("unknown conversation " + id);
            }
            throw e;
        }
    }

    /**
     * Hands the message to the store; once stored, it goes to the members in sequence order (see
     * {@link #stored}), or the sender is told it was not.
     */
    private void post(Session sender, SendMessage send) throws Refusal {
        long id = send.conversationId();
        membership(sender, id);
        rules.checkText(send.text());
        Peer peer = sender.peer;
        store.append(id, sender.username, send.clientMessageId(), send.text())
                .whenCompleteAsync((appended, failure) -> stored(peer, send, appended, failure), fanout);
    }

    /** On the fan-out thread: sends a message the store has taken to whom it is due. */
    private void stored(Peer sender, SendMessage send, Appended appended, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            log.warn("message from {} not stored: {}", sender, cause.getMessage());
            lock.lock();
            try {
                Conversation conversation = conversations.get(send.conversationId());
                if (conversation != null) {
                    conversation.appendFailed();
                }
            } finally {
                lock.unlock();
            }
            broadcast(List.of(sender), refusal(send, "not stored: " + cause.getMessage()));
            return;
        }
        Message message = message(appended.message());
        if (node != null && !appended.duplicate()) {
            // The feed sends it, in the store's order with what other nodes took: read it now.
            node.conversationChanged(message.conversationId());
            return;
        }
        long gap;
        lock.lock();
        try {
            Conversation conversation = conversations.get(message.conversationId());
            if (appended.duplicate() || conversation == null) {
                broadcast(List.of(sender), message);
                return;
            }
            for (Message due : conversation.due(message)) {
                broadcast(memberPeers(conversation), due);
            }
            gap = conversation.gapToFill();
        } finally {
            lock.unlock();
        }
        if (gap > 0) {
            fillGap(message.conversationId(), gap);
        }
    }

    /**
     * On the fan-out thread: reads from the store the messages from number {@code from} on, which
     * later ones wait for after an append failed (a store that lost its connection may have stored
     * it all the same), and sends those now due. Messages not stored yet are left to their appends.
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
            Conversation conversation = conversations.get(conversationId);
            if (conversation == null) {
                return;
            }
            for (StoredMessage stored : page.messages()) {
                for (Message due : conversation.due(message(stored))) {
                    broadcast(memberPeers(conversation), due);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private static Message message(StoredMessage stored) {
        return new Message(stored.conversationId(), stored.sequence(), stored.timestampMillis(), stored.sender(),
                stored.clientMessageId(), stored.text());
    }

    private static void checkHistoryRequest(GetHistory get) throws Refusal {
        if (get.limit() < 1) {
            throw new Refusal("a history page holds at least 1 message, not " + get.limit());
        }
        if (get.from() < 0) {
            throw new Refusal("sequence numbers start at 1: cannot read history from " + get.from());
        }
    }

    /** Reads a page of history and sends it to {@code peer}; called holding the lock, as membership is checked under it. */
    private History readHistory(GetHistory get) throws StoreException {
        HistoryPage page = store.history(get.conversationId(), get.from(),
                get.older() ? ChatStore.Direction.OLDER : ChatStore.Direction.NEWER, get.limit());
        return new History(get.conversationId(),
                page.messages().stream().map(ImServer::message).toList(), page.firstSequence(), page.lastSequence());
    }

    private void leave(Session session, long id) throws Refusal, StoreException {
        Conversation conversation = membership(session, id);
        store.leave(id, session.username);
        removeMember(conversation, session.username);
        unfollowIfNoneHere(conversation);
    }

    private Conversation conversation(long id) throws Refusal {
        Conversation conversation = conversations.get(id);
        if (conversation == null) {
            throw new Refusal("unknown conversation " + id);
        }
        return conversation;
    }

    private Conversation membership(Session session, long id) throws Refusal {
        Conversation conversation = conversation(id);
        if (!conversation.members.containsKey(Rules.key(session.username))) {
            throw new Refusal("not a member of conversation " + id);
        }
        return conversation;
    }

    private void addMember(Conversation conversation, String username) {
        String key = Rules.key(username);
        conversation.members.put(key, username);
        conversation.joinedAfter.put(key, conversation.lastSent());
        memberships.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(conversation);
    }

    /** Takes {@code username} out of {@code conversation}, ending it if nobody is left. */
    private void removeMember(Conversation conversation, String username) {
        String key = Rules.key(username);
        conversation.members.remove(key);
        conversation.joinedAfter.remove(key);
        Set<Conversation> of = memberships.get(key);
        if (of != null && of.remove(conversation) && of.isEmpty()) {
            memberships.remove(key);
        }
        if (conversation.members.isEmpty()) {
            forget(conversation);
        }
    }

    /** The connections of the members online now. */
    private List<Peer> memberPeers(Conversation conversation) {
        List<Peer> peers = new ArrayList<>(conversation.members.size());
        for (String key : conversation.members.keySet()) {
            Session member = online.get(key);
            if (member != null && !member.detached) {
                peers.add(member.peer);
            }
        }
        return peers;
    }

    /** Takes a registered user out of every conversation and the online list, and tells everyone. */
    private void signOff(Session session) {
        for (Conversation conversation : new ArrayList<>(memberships.getOrDefault(Rules.key(session.username),
                Set.of()))) {
            try {
                store.leave(conversation.id, session.username);
            } catch (StoreException e) {
                log.warn("{} left conversation {}, but the store kept them: {}", session.username, conversation.id,
                        e.getMessage());
            }
            removeMember(conversation, session.username);
            unfollowIfNoneHere(conversation);
        }
        forgetLocal(session);
        if (node != null) {
            try {
                shared().removePresence(Rules.key(session.username), node.id());
            } catch (StoreException e) {
                log.warn("{} signed off, but the store still has them online: {}", session.username, e.getMessage());
            }
        }
        changedOnline.remove(session.username);
        changedOffline.add(session.username);
        presenceChanged();
        session.username = null;
        session.status = null;
    }

    /** Notes that {@code session}'s user is online with its current status, to be told to everyone. */
    private void cameOnline(Session session) {
        announce(session);
        publish(session);
    }

    /** Tells the users of this node that {@code session}'s user is online with its status. */
    private void announce(Session session) {
        changedOffline.remove(session.username);
        changedOnline.put(session.username, session.status);
        presenceChanged();
    }

    /** Sends the changes to the online list now, or within {@link ServerOptions#presenceDelay()}. */
    private void presenceChanged() {
        if (options.presenceDelay().isZero()) {
            broadcastPresenceChangesLocked();
        } else if (!presenceFlushScheduled && !closed) {
            presenceFlushScheduled = true;
            try {
                timer.schedule(this::broadcastPresenceChanges, options.presenceDelay().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                log.debug("server closing: online list changes not sent");
            }
        }
    }

    private void broadcastPresenceChanges() {
        lock.lock();
        try {
            broadcastPresenceChangesLocked();
        } finally {
            lock.unlock();
        }
    }

    private void broadcastPresenceChangesLocked() {
        presenceFlushScheduled = false;
        if (changedOnline.isEmpty() && changedOffline.isEmpty()) {
            return;
        }
        var changes = new OnlineUsersChanged(changedOnline, changedOffline);
        changedOnline.clear();
        changedOffline.clear();
        broadcast(onlinePeers(), changes);
    }

    private void broadcastOnlineUsers() {
        lock.lock();
        try {
            if (!online.isEmpty()) {
                broadcast(onlinePeers(), new OnlineUsers(onlineSnapshot()));
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Peer> onlinePeers() {
        return online.values().stream().filter(user -> !user.detached).map(user -> user.peer).toList();
    }

    private Map<String, String> onlineSnapshot() {
        Map<String, String> users = new LinkedHashMap<>();
        online.values().forEach(user -> users.put(user.username, user.status));
        remote.values().forEach(user -> users.putIfAbsent(user.username(), user.status()));
        return users;
    }

    /** Queues {@code event} for {@code peers} without waiting; called holding the lock. */
    private void broadcast(List<Peer> peers, ImEvent event) {
        if (closed) {
            return;
        }
        try {
            endpoint.broadcast(peers, event);
        } catch (IllegalArgumentException e) {
            log.warn("could not broadcast {} to {} clients: {}", event.getClass().getSimpleName(), peers.size(),
                    e.getMessage());
        }
    }

    /** A non-request record (an {@link ImEvent} sent back, say) is answered, not obeyed. */
    private void unexpected(Peer peer, Object message) {
        String name = message.getClass().getSimpleName();
        if (withinRate(peer, message)) {
            reply(peer, new Error("not a request: " + name, name), name);
        }
    }

    /** The {@link Error} refusing {@code request}, naming its client message id when it is a send. */
    private static Error refusal(Object request, String why) {
        long clientMessageId = request instanceof SendMessage send ? send.clientMessageId() : 0;
        return new Error(why, request.getClass().getSimpleName(), clientMessageId);
    }

    /**
     * Sends {@code event} to {@code peer} alone, waiting while its queue is full; not holding the lock.
     * An answer too long to encode (only a huge listing can be) becomes an {@link Error} saying so.
     */
    private static void reply(Peer peer, ImEvent event, String request) {
        try {
            peer.send(event);
        } catch (IllegalArgumentException e) {
            log.warn("{}: {} not sent: {}", peer, event.getClass().getSimpleName(), e.getMessage());
            if (!(event instanceof Error)) {
                reply(peer, new Error(event.getClass().getSimpleName() + " too long to send", request), request);
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("{}: {} not sent: {}", peer, event.getClass().getSimpleName(), e.getMessage());
        }
    }

    /** On a shared store: puts {@code session}'s user in the store as online (or held) here, for the other nodes. */
    private void publish(Session session) {
        if (node == null) {
            return;
        }
        try {
            shared().putPresence(Rules.key(session.username),
                    new Presence(session.username, session.status, node.id(), session.detached));
        } catch (StoreException e) {
            log.warn("the other nodes may not see {} online: {}", session.username, e.getMessage());
        }
    }

    private SharedStore shared() {
        return (SharedStore) store;
    }

    /** Takes {@code session}'s user out of this node's online list, unannounced. */
    private void forgetLocal(Session session) {
        online.remove(Rules.key(session.username));
        onlineLookAlikes.remove(Rules.lookAlike(session.username));
        held.remove(session);
    }

    private void forgetRemote(String key) {
        Presence gone = remote.remove(key);
        if (gone != null) {
            remoteLookAlikes.remove(Rules.lookAlike(gone.username()));
        }
    }

    /** On a shared store: follows each conversation {@code username} is in that this node does not follow yet. */
    private void followConversationsOf(String username) throws Refusal {
        Set<Long> theirs;
        try {
            theirs = shared().conversationsOf(username);
        } catch (StoreException e) {
            throw new Refusal("not stored: cannot read your conversations: " + e.getMessage());
        }
        for (long id : theirs) {
            if (!conversations.containsKey(id)) {
                try {
                    follow(id);
                } catch (StoreException e) {
                    log.warn("{} is in conversation {}, which cannot be read: {}", username, id, e.getMessage());
                }
            }
        }
    }

    /** On a shared store: starts following conversation {@code id} from its members now, reading its feed after. */
    private Conversation follow(long id) throws StoreException {
        ConversationSnapshot snapshot = shared().snapshot(id);
        var conversation = new Conversation(id, snapshot.lastSequence());
        conversation.cursor = snapshot.cursor();
        conversations.put(id, conversation);
        snapshot.members().forEach(member -> addMember(conversation, member));
        return conversation;
    }

    /** On a shared store: stops following {@code conversation} once none of its members is a user of this node. */
    private void unfollowIfNoneHere(Conversation conversation) {
        if (node == null || conversations.get(conversation.id) != conversation) {
            return;
        }
        for (String key : conversation.members.keySet()) {
            if (online.containsKey(key)) {
                return;
            }
        }
        unfollow(conversation);
    }

    private void unfollow(Conversation conversation) {
        for (String key : conversation.members.keySet()) {
            Set<Conversation> of = memberships.get(key);
            if (of != null && of.remove(conversation) && of.isEmpty()) {
                memberships.remove(key);
            }
        }
        forget(conversation);
    }

    private void forget(Conversation conversation) {
        conversations.remove(conversation.id);
        invitedHere.remove(conversation.id);
    }

    /**
     * On a shared store: {@code session}'s user came online on another node, which took them over:
     * drops them here without a word to anyone else.
     *
     * @return the connection to close once the lock is released, if it was still open
     */
    private Peer letGo(Session session) {
        log.info("{} went on to another node", session.username);
        List<Conversation> theirs = new ArrayList<>(memberships.getOrDefault(Rules.key(session.username), Set.of()));
        forgetLocal(session);
        session.username = null;
        session.status = null;
        theirs.forEach(this::unfollowIfNoneHere);
        if (session.detached) {
            return null;
        }
        broadcast(List.of(session.peer), new Error("signed in on another node", Register.class.getSimpleName()));
        return session.peer;
    }

    /** What the {@link ClusterNode} read, applied to this server's state under its lock. */
    private final class Followers implements ClusterNode.Followers {

        @Override
        public Set<Long> followed() {
            lock.lock();
            try {
                return Set.copyOf(conversations.keySet());
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long cursor(long conversationId) {
            lock.lock();
            try {
                Conversation conversation = conversations.get(conversationId);
                return conversation == null ? -1 : conversation.cursor;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean apply(long conversationId, long after, ChangePage page) throws StoreException {
            lock.lock();
            try {
                Conversation conversation = conversations.get(conversationId);
                if (closed || conversation == null || conversation.cursor != after) {
                    return false;
                }
                if (page.ended()) {
                    unfollow(conversation);
                    return false;
                }
                if (page.missedAfter(after)) {
                    log.warn("conversation {}: changes after {} were trimmed before this node read them; members "
                            + "may see a gap", conversationId, after);
                    unfollow(conversation);
                    follow(conversationId);
                    return true;
                }
                for (Change change : page.changes()) {
                    apply(conversation, change);
                    if (conversations.get(conversationId) != conversation) {
                        return false;
                    }
                    conversation.cursor = change.cursor();
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Holding the lock: sends a message to the members here, or changes who is in. */
        private void apply(Conversation conversation, Change change) {
            switch (change) {
                case Change.Posted posted -> {
                    if (posted.message().sequence() > conversation.lastSent()) {
                        broadcast(memberPeers(conversation), message(posted.message()));
                        conversation.sentUpTo(posted.message().sequence());
                    }
                }
                case Change.Joined joined -> {
                    if (!conversation.members.containsKey(Rules.key(joined.user()))) {
                        addMember(conversation, joined.user());
                    }
                }
                case Change.Left left -> {
                    if (conversation.members.containsKey(Rules.key(left.user()))) {
                        removeMember(conversation, left.user());
                    }
                }
                case Change.Created created -> log.debug("conversation {} created again?", created.conversationId());
            }
        }

        @Override
        public void created(List<Change.Created> created) {
            lock.lock();
            try {
                for (Change.Created conversation : created) {
                    if (invitedHere.remove(conversation.conversationId())) {
                        continue;
                    }
                    List<Peer> invited = new ArrayList<>();
                    for (String key : conversation.invited()) {
                        Session user = online.get(key);
                        if (user != null && !user.detached) {
                            invited.add(user.peer);
                        }
                    }
                    broadcast(invited, new Invitation(conversation.conversationId(), conversation.creator()));
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void presence(Map<String, Presence> presence, long readAt, boolean republish) {
            List<Peer> toClose = new ArrayList<>();
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                if (republish) {
                    online.values().forEach(ImServer.this::publish);
                }
                boolean changed = false;
                for (String key : new ArrayList<>(remote.keySet())) {
                    Presence now = presence.get(key);
                    if (now == null || now.nodeId().equals(node.id())) {
                        String name = remote.get(key).username();
                        forgetRemote(key);
                        if (!online.containsKey(key)) {
                            changedOnline.remove(name);
                            changedOffline.add(name);
                            changed = true;
                        }
                    }
                }
                for (var entry : presence.entrySet()) {
                    String key = entry.getKey();
                    Presence user = entry.getValue();
                    Session local = online.get(key);
                    if (user.nodeId().equals(node.id())) {
                        if (local == null && !republish) {
                            removeStale(key);
                        }
                        continue;
                    }
                    if (local != null && local.changedAt - readAt > 0) {
                        continue;
                    }
                    String wasStatus = local != null ? local.status : null;
                    if (local != null) {
                        Peer open = letGo(local);
                        if (open != null) {
                            toClose.add(open);
                        }
                    }
                    Presence was = remote.put(key, user);
                    if (was != null) {
                        wasStatus = was.status();
                        remoteLookAlikes.remove(Rules.lookAlike(was.username()));
                    }
                    remoteLookAlikes.put(Rules.lookAlike(user.username()), user.username());
                    if (!user.status().equals(wasStatus)) {
                        changedOffline.remove(user.username());
                        changedOnline.put(user.username(), user.status());
                        changed = true;
                    }
                }
                if (changed) {
                    presenceChanged();
                }
            } finally {
                lock.unlock();
            }
            toClose.forEach(Peer::close);
        }

        /** An entry of this node's for a user no longer here (from before a restart, say): nobody else removes it. */
        private void removeStale(String key) {
            try {
                shared().removePresence(key, node.id());
            } catch (StoreException e) {
                log.debug("could not remove {} from the store: {}", key, e.getMessage());
            }
        }
    }
}
