package dev.parley.server;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.im.Conversations;
import dev.parley.im.Error;
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
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

/**
 * The instant-messaging server: users register under a unique name, invite each other into
 * conversations and post messages there, over any {@link Transport}. See the protocol table in
 * the project's DESIGN.md; every refusal is an {@link Error} naming the request, and the server
 * carries on. A {@link Goodbye}, or the connection closing without one, signs the user off: out of
 * every conversation (ending those left empty) and the online list, and everyone is told. After a
 * goodbye the connection stays open until the client closes it, and may register again.
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
 * (see {@link Endpoint}), passwords checked on the password threads, the changes to the online list,
 * the periodic online-users broadcast and delayed refusals sent on a timer thread of its own. All
 * state sits behind one server-wide lock. One lock rather than one per conversation because a
 * goodbye touches every conversation of a user and the online list at once, and correctness comes
 * first: under it, every member of a conversation sees its messages in the same order, and
 * everyone sees online lists in the order they changed. The lock is held only to update state and
 * queue events ({@link Endpoint#broadcast}, which never waits: a client too slow to take them is
 * dropped); replies to the requester alone are sent after it is released, so a client that does
 * not read holds up only itself.
 *
 * <p>Thread-safe. {@link #close()} stops the timer and password threads and closes every client.
 */
public final class ImServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImServer.class);

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
    private long lastConversationId;
    private boolean closed;

    private ImServer(Transport transport, SocketAddress address, ServerOptions options, LongSupplier nanoClock,
                     BiPredicate<String, String> passwordCheck) throws IOException {
        this.options = options;
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
        this.timer = broadcasts || delaysPresence || passwordCheck != null ? Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("parley-im-timer").factory()) : null;
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
     * Starts a server listening on {@code transport} at {@code address} (port 0 picks a free port).
     *
     * @throws IOException if the address cannot be bound, for example because the port is taken
     */
    public static ImServer start(Transport transport, SocketAddress address, ServerOptions options) throws IOException {
        return start(transport, address, options, System::nanoTime);
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
        return new ImServer(transport, address, options, nanoClock, passwordCheck);
    }

    /** The address actually bound. */
    public SocketAddress localAddress() {
        return server.localAddress();
    }

    /** The settings this server runs with. */
    public ServerOptions options() {
        return options;
    }

    /** A snapshot of the registered users and their statuses. */
    public Map<String, String> onlineUsers() {
        lock.lock();
        try {
            return onlineSnapshot();
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
        log.info("server on {} stopped", localAddress());
    }

    private void stopThreads() {
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
            if (session != null && session.isRegistered()) {
                log.info("{} disconnected without goodbye: {}", session.username, cause.getMessage());
                signOff(session);
            }
        } finally {
            lock.unlock();
        }
    }

    private void handle(Peer peer, ImRequest request) {
        if (!withinRate(peer, ImProtocol.requestName(request))) {
            return;
        }
        if (request instanceof Register register && passwordCheck != null) {
            logIn(peer, register);
            return;
        }
        ImEvent reply;
        lock.lock();
        try {
            reply = apply(sessions.get(peer), request);
        } catch (Refusal refusal) {
            reply = new Error(refusal.getMessage(), ImProtocol.requestName(request));
        } finally {
            lock.unlock();
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
    private boolean withinRate(Peer peer, String request) {
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
            case REFUSE -> reply(peer, new Error("slow down: at most " + options.messagesPerSecond()
                    + " requests a second, " + options.messageBurst() + " at once", request), request);
            case DISCONNECT -> {
                log.info("{}: closing after {} requests in a row over the rate limit", peer, options.maxRefusedInARow());
                reply(peer, new Error("too many requests over the rate limit: closing the connection", request),
                        request);
                peer.close();
            }
        }
        return false;
    }

    /** Applies {@code request} to the state; returns the reply for the requester alone, if any. */
    private ImEvent apply(Session session, ImRequest request) throws Refusal {
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
                return listing();
            }
            case Join join -> join(session, join.conversationId());
            case SendMessage send -> post(session, send.conversationId(), send.text());
            case Leave leave -> leave(session, leave.conversationId());
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
        if (online.containsKey(Rules.key(username))) {
            throw new Refusal("username " + username + " is taken");
        }
        String lookAlike = Rules.lookAlike(username);
        Session similar = onlineLookAlikes.get(lookAlike);
        if (similar != null) {
            throw new Refusal("username " + username + " looks like " + similar.username + ", who is online");
        }
        session.username = username;
        session.status = register.status();
        online.put(Rules.key(username), session);
        onlineLookAlikes.put(lookAlike, session);
        log.info("{} registered from {}", username, session.peer.remoteAddress());
        // Under the lock, so that it reaches the new user before any change made after it.
        broadcast(List.of(session.peer), new OnlineUsers(onlineSnapshot()));
        cameOnline(session);
    }

    private void changeStatus(Session session, String status) throws Refusal {
        rules.checkStatus(status);
        session.status = status;
        cameOnline(session);
    }

    private void invite(Session inviter, List<String> usernames) throws Refusal {
        if (usernames.isEmpty()) {
            throw new Refusal("invite at least one user");
        }
        if (usernames.size() > options.maxInvitees()) {
            throw new Refusal("too many invitees: " + usernames.size() + " (at most " + options.maxInvitees() + ")");
        }
        Set<Session> invited = new LinkedHashSet<>();
        invited.add(inviter);
        Set<String> notOnline = new LinkedHashSet<>();
        for (String username : usernames) {
            Session user = online.get(Rules.key(username));
            if (user == null) {
                notOnline.add(Rules.echo(username));
            } else {
                invited.add(user);
            }
        }
        if (!notOnline.isEmpty()) {
            throw new Refusal("not online: " + String.join(", ", notOnline));
        }
        if (conversations.size() >= options.maxConversations()) {
            throw new Refusal("too many conversations (at most " + options.maxConversations() + ")");
        }
        var conversation = new Conversation(++lastConversationId, invited);
        conversations.put(conversation.id, conversation);
        addMember(conversation, inviter);
        broadcast(invited.stream().map(user -> user.peer).toList(),
                new Invitation(conversation.id, inviter.username));
    }

    private Conversations listing() {
        Map<Long, List<String>> listing = new LinkedHashMap<>();
        conversations.values().forEach(c -> listing.put(c.id, c.memberNames()));
        return new Conversations(listing);
    }

    private void join(Session session, long id) throws Refusal {
        Conversation conversation = conversation(id);
        if (options.joinPolicy() == JoinPolicy.INVITED_ONLY && !conversation.invited.contains(session)) {
            throw new Refusal("not invited to conversation " + id);
        }
        addMember(conversation, session);
    }

    private void post(Session sender, long id, String text) throws Refusal {
        Conversation conversation = membership(sender, id);
        rules.checkText(text);
        broadcast(conversation.memberPeers(), new Message(id, sender.username, text));
    }

    private void leave(Session session, long id) throws Refusal {
        removeMember(membership(session, id), session);
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
        if (!conversation.members.contains(session)) {
            throw new Refusal("not a member of conversation " + id);
        }
        return conversation;
    }

    private static void addMember(Conversation conversation, Session session) {
        conversation.members.add(session);
        session.conversations.add(conversation);
    }

    /** Takes {@code session} out of {@code conversation}, ending it if nobody is left. */
    private void removeMember(Conversation conversation, Session session) {
        conversation.members.remove(session);
        session.conversations.remove(conversation);
        if (conversation.members.isEmpty()) {
            conversations.remove(conversation.id);
        }
    }

    /** Takes a registered user out of every conversation and the online list, and tells everyone. */
    private void signOff(Session session) {
        for (Conversation conversation : new ArrayList<>(session.conversations)) {
            removeMember(conversation, session);
        }
        online.remove(Rules.key(session.username));
        onlineLookAlikes.remove(Rules.lookAlike(session.username));
        changedOnline.remove(session.username);
        changedOffline.add(session.username);
        presenceChanged();
        session.username = null;
        session.status = null;
    }

    /** Notes that {@code session}'s user is online with its current status, to be told to everyone. */
    private void cameOnline(Session session) {
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
        return online.values().stream().map(user -> user.peer).toList();
    }

    private Map<String, String> onlineSnapshot() {
        Map<String, String> users = new LinkedHashMap<>();
        online.values().forEach(user -> users.put(user.username, user.status));
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
        if (withinRate(peer, name)) {
            reply(peer, new Error("not a request: " + name, name), name);
        }
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
}
