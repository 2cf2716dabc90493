package dev.parley.server;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.GetHistory;
import dev.parley.im.Goodbye;
import dev.parley.im.History;
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
import dev.parley.im.Register;
import dev.parley.im.SendMessage;
import dev.parley.im.StatusChange;
import dev.parley.server.store.Appended;
import dev.parley.server.store.Change;
import dev.parley.server.store.ChangePage;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ConversationSnapshot;
import dev.parley.server.store.HistoryPage;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The chat itself: who is registered, the conversations, their members and invitations, and the
 * rules of registering, inviting, joining, posting, leaving, resuming and signing off, kept in a
 * {@link ChatStore}. It owns no thread, lock, timer or connection: it is handed requests, speaks to
 * clients through {@link Clients}, notes changes to the online list in a {@link PresenceBatcher},
 * and hands each message it posts to {@link Appends}, which tells it (see {@link #stored}) once the
 * store has the message. So a test drives it step by step over a store, without a socket or thread.
 *
 * <p><b>Posting.</b> A message goes to the store from {@link #apply} and comes back, stored, to
 * {@link #stored}: each {@link Conversation} holds back those acknowledged early until every number
 * before theirs was sent, so members get them in sequence order. After an append failed, the number
 * it may have taken is read from the store ({@link #fillGap}) rather than waited for forever.
 *
 * <p><b>Several nodes.</b> On a {@link SharedStore} it is one node's share of a server that several
 * nodes make (see {@link ClusterNode}): it follows the conversations with members here, applies what
 * the store's feeds say ({@link #applyChanges}, {@link #created}, {@link #presence}), publishes its
 * users' presence, and on a {@code Register} claims the name in the store, which refuses it if taken
 * or looked like on another node.
 *
 * <p><b>Threads.</b> Not thread-safe: every method is called holding the server's lock (in
 * {@link ImServer}: requests on their connection's delivery thread, passwords answered on a password
 * thread, expiries on the timer, stored messages on the fan-out thread, what the node read on the
 * node's thread), except {@link #readFromStore}, which reads only the store, after the lock is
 * released. The store's synchronous calls (create, join, leave, invitations, the history a resuming
 * {@code Register} is sent, presence on a shared store) run holding the lock.
 */
final class ChatCore implements PresenceBatcher.Audience {

    /** The server's log: its lines are part of {@link ImServer}'s contract. */
    private static final Logger log = LoggerFactory.getLogger(ImServer.class);

    /** What a client is told when another node took its user over. */
    private static final String SIGNED_IN_ELSEWHERE = "signed in on another node";

    /** Most conversation ids one "not resumed" answer names. */
    private static final int NOT_RESUMED_NAMED = 10;

    /** Most history pages sent to a client resuming one conversation: with retention, a bound it never reaches. */
    private static final int MAX_RESUME_PAGES = 100_000;

    /** Where a posted message goes once handed to the store. */
    @FunctionalInterface
    interface Appends {

        /**
         * {@code sender}'s {@code send}, handed to the store: once {@code appended} completes, pass
         * it to {@link #stored} (or {@link #appendFailed}) holding the lock. Called holding the lock.
         */
        void handedOver(Session sender, SendMessage send, CompletionStage<Appended> appended);
    }

    private final ServerOptions options;
    private final Rules rules;
    private final ChatStore store;
    /** The store as shared by several nodes, and this node's id in it; both null on a store of one node. */
    private final SharedStore shared;
    private final String nodeId;
    private final Clients clients;
    private final PresenceBatcher presence;
    private final Appends appends;
    private final LongSupplier nanoClock;

    private final Map<String, Session> online = new LinkedHashMap<>();
    /** The registered users by {@link Rules#lookAlike}, so that a registration need not fold every name online. */
    private final Map<String, Session> onlineLookAlikes = new HashMap<>();
    private final Map<Long, Conversation> conversations = new TreeMap<>();
    /** Users in their resume window, the one held longest first; at most {@link ServerOptions#maxHeldUsers()}. */
    private final SequencedSet<Session> held = new LinkedHashSet<>();
    /** The conversations each user is a member of, by {@link Rules#key}, online or not. */
    private final Map<String, Set<Conversation>> memberships = new HashMap<>();
    /**
     * On a shared store, the users online on other nodes, by {@link Rules#key}; and by {@link Rules#lookAlike}
     * (what a registration goes by when the store cannot say who looks like it).
     */
    private final Map<String, Presence> remote = new HashMap<>();
    private final Map<String, String> remoteLookAlikes = new HashMap<>();
    /**
     * On a shared store: putting a user's presence failed because the store could not be reached,
     * so the other nodes may not see everyone online here until the next read of who is online,
     * which puts this node's users in again.
     */
    private boolean unpublished;
    /**
     * On a shared store, the conversations created here whose invitations this node's users were
     * given at once, until the feed of created conversations brings them (the other nodes tell
     * theirs from it) or this node stops following them: at most one per followed conversation.
     */
    private final Set<Long> invitedHere = new HashSet<>();

    /**
     * A chat kept in {@code store}, as node {@code nodeId} if it is a {@link SharedStore} (else
     * {@code nodeId} is null and what the store kept is read at once); {@code nanoClock} says when
     * a user registered or was detached, in {@link System#nanoTime()} units.
     *
     * @throws IOException if the store cannot be read (a {@link StoreException} cause)
     */
    ChatCore(ServerOptions options, ChatStore store, String nodeId, Clients clients, PresenceBatcher presence,
             Appends appends, LongSupplier nanoClock) throws IOException {
        this.options = options;
        this.rules = new Rules(options);
        this.store = store;
        this.shared = store instanceof SharedStore s ? s : null;
        this.nodeId = nodeId;
        this.clients = clients;
        this.presence = presence;
        this.appends = appends;
        this.nanoClock = nanoClock;
        if (shared == null) {
            load();
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

    /** The users in their resume window now, the one held longest first. */
    List<String> heldUsers() {
        return held.stream().map(session -> session.username).toList();
    }

    /** How many conversations are followed: on a store of one node, all that are ongoing. */
    int conversationCount() {
        return conversations.size();
    }

    /** How many users are registered on this node, those in their resume window included. */
    int registeredCount() {
        return online.size();
    }

    /** How many users are in their resume window. */
    int heldCount() {
        return held.size();
    }

    /** The registered users and their statuses (on a shared store, of every node, as last read). */
    @Override
    public Map<String, String> onlineList() {
        Map<String, String> users = new LinkedHashMap<>();
        online.values().forEach(user -> users.put(user.username, user.status));
        remote.values().forEach(user -> users.putIfAbsent(user.username(), user.status()));
        return users;
    }

    /** The sessions of the users registered here and connected. */
    @Override
    public List<Session> here() {
        return online.values().stream().filter(user -> !user.detached).toList();
    }

    /**
     * {@code session}'s connection closed without a goodbye: signs its user off, or keeps their place.
     *
     * @return true if the user keeps their place: {@link #expire} them after {@link ServerOptions#resumeWindow()}
     */
    boolean disconnected(Session session, String cause) {
        if (!session.isRegistered()) {
            return false;
        }
        if (options.resumeWindow().isZero()) {
            log.info("{} disconnected without goodbye: {}", session.username, cause);
            signOff(session);
            return false;
        }
        log.info("{} disconnected without goodbye: {}; keeping their place for {}", session.username, cause,
                options.resumeWindow());
        hold(session);
        return true;
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
    }

    /** The resume window of {@code session} ran out: signs its user off if they did not come back. */
    void expire(Session session) {
        if (session.detached && session.isRegistered() && online.get(Rules.key(session.username)) == session) {
            log.info("{} did not come back within {}: signed off", session.username, options.resumeWindow());
            signOff(session);
        }
    }

    /**
     * Applies {@code request} from {@code session}; returns the reply for the requester alone, if any
     * (none for a {@link GetHistory}, nor a {@link ListConversations} on a shared store: see
     * {@link #readFromStore}).
     */
    ImEvent apply(Session session, ImRequest request) throws Refusal, StoreException {
        if (!(request instanceof Register) && !session.isRegistered()) {
            throw new Refusal(Refusal.Cause.NOT_REGISTERED, "register first");
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
                return shared == null ? listing() : null;
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

    /**
     * Not holding the lock: the reply to {@code request}, which {@link #apply} accepted, that is read
     * from the store alone (a slow store holds up only this connection): a page of history; on a
     * shared store, the listing of conversations. Null for any other request.
     */
    ImEvent readFromStore(ImRequest request) throws StoreException {
        if (request instanceof GetHistory get) {
            HistoryPage page = store.history(get.conversationId(), get.from(),
                    get.older() ? ChatStore.Direction.OLDER : ChatStore.Direction.NEWER, get.limit());
            return new History(get.conversationId(), page.messages().stream().map(ChatCore::message).toList(),
                    page.firstSequence(), page.lastSequence());
        }
        if (request instanceof ListConversations && shared != null) {
            return new Conversations(store.conversations());
        }
        return null;
    }

    /** Registers {@code session} as {@code register} asks (its password, if any, already checked). */
    void register(Session session, Register register) throws Refusal {
        if (session.isRegistered()) {
            throw new Refusal(Refusal.Cause.OUT_OF_TURN, "already registered as " + session.username);
        }
        String username = register.username();
        rules.checkUsername(username);
        rules.checkStatus(register.status());
        if (register.protocolVersion() != ImProtocol.VERSION) {
            throw new Refusal(Refusal.Cause.PROTOCOL_VERSION,
                    "protocol version " + register.protocolVersion() + " is not supported: this server speaks "
                    + "version " + ImProtocol.VERSION);
        }
        String key = Rules.key(username);
        String lookAlike = Rules.lookAlike(username);
        Session away = online.get(key);
        if (away != null && !away.detached) {
            throw nameTaken(username, away.username);
        }
        Session similar = onlineLookAlikes.get(lookAlike);
        if (similar != null && similar != away) {
            throw nameTaken(username, similar.username);
        }
        String wasName = away != null ? away.username : null;
        String wasStatus = away != null ? away.status : null;
        if (shared != null) {
            // Before the user hears it is registered: from then on, a user of any node can invite them.
            Presence blocker = claim(key, lookAlike, new Presence(username, register.status(), nodeId, false),
                    !register.resumeFrom().isEmpty());
            if (blocker != null) {
                throw nameTaken(username, blocker.username());
            }
            try {
                followConversationsOf(username);
            } catch (Refusal notStored) {
                if (away != null) {
                    publish(away);
                } else {
                    withdraw(key);
                }
                throw notStored;
            }
            Presence seen = remote.get(key);
            if (seen != null) {
                // Who this node's users saw online: what they are told changed is measured from it.
                forgetRemote(key);
                wasName = seen.username();
                wasStatus = seen.status();
            }
        }
        if (away != null) {
            takeBack(away);
        }
        session.username = username;
        session.status = register.status();
        session.changedAt = nanoClock.getAsLong();
        online.put(key, session);
        onlineLookAlikes.put(lookAlike, session);
        log.info("{} {} from {}", username, wasName == null ? "registered" : "came back", session.from);
        // Holding the lock, so that it reaches the new user before any change made after it.
        clients.broadcast(List.of(session), new OnlineUsers(onlineList()));
        if (wasName == null || !wasStatus.equals(session.status) || !wasName.equals(username)) {
            announce(session);
        }
        resume(session, register.resumeFrom());
    }

    /** The refusal of {@code username} because {@code holder} is online: the same user, or one who looks like them. */
    private static Refusal nameTaken(String username, String holder) {
        return new Refusal(Refusal.Cause.NAME_TAKEN, Rules.key(holder).equals(Rules.key(username))
                ? "username " + username + " is taken"
                : "username " + username + " looks like " + holder + ", who is online");
    }

    /**
     * On a shared store, on the registering thread: puts {@code entry} for user {@code key} in the
     * store if neither the user (unless {@code takeOver}) nor a look-alike is online on another node
     * there, deciding in one atomic write (see {@link SharedStore#putPresence}), so that of two nodes
     * registering look-alikes at once only one succeeds. If the store cannot be reached, it goes by
     * what this node last read of the other nodes, and logs it: two nodes cut off from the store may
     * then both let a name in, and the one that puts it in the store second, once it can, lets its
     * user go (see {@link #presence}).
     *
     * @return null if the user may register; else the entry that stopped them, written nowhere
     */
    private Presence claim(String key, String lookAlike, Presence entry, boolean takeOver) {
        try {
            return shared.putPresence(key, lookAlike, entry, takeOver).orElse(null);
        } catch (StoreException e) {
            log.warn("cannot claim {} in the store, going by what this node read of the others: {}",
                    entry.username(), e.getMessage());
            unpublished = true;
            Presence there = remote.get(key);
            if (there != null && !there.detached() && !takeOver) {
                return there;
            }
            String similar = remoteLookAlikes.get(lookAlike);
            return similar == null || Rules.key(similar).equals(key) ? null : remote.get(Rules.key(similar));
        }
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
     * sent to members; later ones reach it as they are sent. Holding the lock, so that they come
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
                    sent.forEach(message -> clients.broadcast(List.of(session), message(message)));
                    from = sent.getLast().sequence() + 1;
                }
            } catch (StoreException e) {
                log.warn("could not resume conversation {} for {}: {}", id, session.username, e.getMessage());
                clients.broadcast(List.of(session), new Error("not resumed: conversation " + id + ": "
                        + e.getMessage(), Register.class.getSimpleName()));
            }
        }
        if (!notMember.isEmpty()) {
            // One answer however many are named, so that a Register naming thousands costs one frame.
            String named = notMember.stream().limit(NOT_RESUMED_NAMED).map(String::valueOf)
                    .collect(Collectors.joining(", "));
            clients.broadcast(List.of(session), new Error("not resumed: no longer a member of conversation"
                    + (notMember.size() == 1 ? " " : "s ") + named
                    + (notMember.size() > NOT_RESUMED_NAMED ? " and " + (notMember.size() - NOT_RESUMED_NAMED) + " more" : ""),
                    Register.class.getSimpleName()));
        }
    }

    private void changeStatus(Session session, String status) throws Refusal {
        rules.checkStatus(status);
        session.status = status;
        announce(session);
        publish(session);
    }

    private void invite(Session inviter, List<String> usernames) throws Refusal, StoreException {
        if (usernames.isEmpty()) {
            throw new Refusal(Refusal.Cause.INVALID, "invite at least one user");
        }
        if (usernames.size() > options.maxInvitees()) {
            throw new Refusal(Refusal.Cause.OVER_LIMIT,
                    "too many invitees: " + usernames.size() + " (at most " + options.maxInvitees() + ")");
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
            throw new Refusal(Refusal.Cause.NOT_ONLINE, "not online: " + String.join(", ", notOnline.values()));
        }
        if (conversations.size() >= options.maxConversations()) {
            throw new Refusal(Refusal.Cause.OVER_LIMIT,
                    "too many conversations (at most " + options.maxConversations() + ")");
        }
        List<String> keys = new ArrayList<>(invited.stream().map(user -> Rules.key(user.username)).toList());
        keys.addAll(invitedElsewhere);
        long id = store.create(inviter.username, keys);
        var conversation = new Conversation(id, 0);
        conversations.put(id, conversation);
        addMember(conversation, inviter.username);
        if (shared != null) {
            // Followed from the start of its feed, not from a snapshot: an invitee on another node
            // may join and post before this line runs, and that must reach the inviter too.
            conversation.cursor = SharedStore.NEW_FEED_CURSOR;
            // The other nodes tell their invited users from the feed of created conversations.
            invitedHere.add(id);
        }
        // At once, as one server would: before the answer to anything these users ask next.
        clients.broadcast(List.copyOf(invited), new Invitation(id, inviter.username));
    }

    /**
     * On a shared store: those of users {@code keys} whom the store has online on another node now,
     * by key, whatever this node last read of them.
     */
    private Map<String, Presence> onlineElsewhere(Set<String> keys) throws StoreException {
        if (shared == null || keys.isEmpty()) {
            return Map.of();
        }
        return notHere(shared.presence(keys));
    }

    /** Those of {@code entries} held by other nodes, in a map the caller may change. */
    private Map<String, Presence> notHere(Map<String, Presence> entries) {
        Map<String, Presence> elsewhere = new HashMap<>(entries);
        elsewhere.values().removeIf(entry -> entry.nodeId().equals(nodeId));
        return elsewhere;
    }

    private Conversations listing() {
        Map<Long, List<String>> listing = new LinkedHashMap<>();
        conversations.values().forEach(c -> listing.put(c.id, c.memberNames()));
        return new Conversations(listing);
    }

    private void join(Session session, long id) throws Refusal, StoreException {
        Conversation conversation = shared != null && !conversations.containsKey(id) ? followToJoin(id) : conversation(id);
        if (conversation.members.containsKey(Rules.key(session.username))) {
            return;
        }
        boolean joined = false;
        try {
            if (options.joinPolicy() == JoinPolicy.INVITED_ONLY && !store.isInvited(id, Rules.key(session.username))) {
                throw new Refusal(Refusal.Cause.NOT_ALLOWED, "not invited to conversation " + id);
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
            if (shared.changes(id, 0, 0).ended()) {
                throw new Refusal(Refusal.Cause.UNKNOWN_CONVERSATION, "unknown conversation " + id);
            }
            throw e;
        }
    }

    /** Hands the message to the store and {@link Appends}; once stored, it comes back to {@link #stored}. */
    private void post(Session sender, SendMessage send) throws Refusal {
        long id = send.conversationId();
        membership(sender, id);
        rules.checkText(send.text());
        appends.handedOver(sender, send, store.append(id, sender.username, send.clientMessageId(), send.text()));
    }

    /** The store failed to take {@code sender}'s {@code send}: tells the sender, and looks for the gap it may leave. */
    void appendFailed(Session sender, SendMessage send, Throwable cause) {
        log.warn("message from {} not stored: {}", sender.from, cause.getMessage());
        Conversation conversation = conversations.get(send.conversationId());
        if (conversation != null) {
            conversation.appendFailed();
        }
        clients.broadcast(List.of(sender), Refusal.error(send, "not stored: " + cause.getMessage()));
    }

    /**
     * On a store of one node, or for a resend: sends a message the store has taken from {@code sender}
     * to whom it is due. (On a shared store, a new message reaches members from the feed instead.)
     *
     * @return the first number that later messages wait for and that a failed append may have
     *         stored all the same, to read from the store and pass to {@link #fillGap}; else 0
     */
    long stored(Session sender, Appended appended) {
        Message message = message(appended.message());
        Conversation conversation = conversations.get(message.conversationId());
        if (appended.duplicate() || conversation == null) {
            clients.broadcast(List.of(sender), message);
            return 0;
        }
        for (Message due : conversation.due(message)) {
            clients.broadcast(memberSessions(conversation), due);
        }
        return conversation.gapToFill();
    }

    /**
     * Sends the messages now due of {@code page}, read from the store where later ones wait for a
     * gap; messages not stored yet are left to their appends.
     */
    void fillGap(long conversationId, HistoryPage page) {
        Conversation conversation = conversations.get(conversationId);
        if (conversation == null) {
            return;
        }
        for (StoredMessage stored : page.messages()) {
            for (Message due : conversation.due(message(stored))) {
                clients.broadcast(memberSessions(conversation), due);
            }
        }
    }

    private static Message message(StoredMessage stored) {
        return new Message(stored.conversationId(), stored.sequence(), stored.timestampMillis(), stored.sender(),
                stored.clientMessageId(), stored.text());
    }

    private static void checkHistoryRequest(GetHistory get) throws Refusal {
        if (get.limit() < 1) {
            throw new Refusal(Refusal.Cause.INVALID, "a history page holds at least 1 message, not " + get.limit());
        }
        if (get.from() < 0) {
            throw new Refusal(Refusal.Cause.INVALID,
                    "sequence numbers start at 1: cannot read history from " + get.from());
        }
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
            throw new Refusal(Refusal.Cause.UNKNOWN_CONVERSATION, "unknown conversation " + id);
        }
        return conversation;
    }

    private Conversation membership(Session session, long id) throws Refusal {
        Conversation conversation = conversation(id);
        if (!conversation.members.containsKey(Rules.key(session.username))) {
            throw new Refusal(Refusal.Cause.NOT_ALLOWED, "not a member of conversation " + id);
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

    /** The sessions of the members online and connected now. */
    private List<Session> memberSessions(Conversation conversation) {
        List<Session> sessions = new ArrayList<>(conversation.members.size());
        for (String key : conversation.members.keySet()) {
            Session member = online.get(key);
            if (member != null && !member.detached) {
                sessions.add(member);
            }
        }
        return sessions;
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
        if (shared != null) {
            try {
                shared.removePresence(Rules.key(session.username), nodeId);
            } catch (StoreException e) {
                log.warn("{} signed off, but the store still has them online: {}", session.username, e.getMessage());
            }
        }
        presence.offline(session.username);
        presence.send(this);
        session.username = null;
        session.status = null;
    }

    /** Tells the users of this node that {@code session}'s user is online with its status. */
    private void announce(Session session) {
        presence.online(session.username, session.status);
        presence.send(this);
    }

    /**
     * On a shared store: puts {@code session}'s user, registered here, in the store as online (or
     * held) here, for the other nodes. The store refuses it only if, while this node counted as
     * dead or could not reach the store, another node took the user over or let in a look-alike.
     *
     * @return the entry that stopped it, written nowhere, or null if the store took it or could not
     *         be reached; either failure is logged
     */
    private Presence publish(Session session) {
        if (shared == null) {
            return null;
        }
        try {
            Presence blocker = shared.putPresence(Rules.key(session.username), Rules.lookAlike(session.username),
                    new Presence(session.username, session.status, nodeId, session.detached), false).orElse(null);
            if (blocker != null) {
                log.warn("the other nodes do not see {} online: the store has {} on node {}",
                        session.username, blocker.username(), blocker.nodeId());
            }
            return blocker;
        } catch (StoreException e) {
            log.warn("the other nodes may not see {} online: {}", session.username, e.getMessage());
            unpublished = true;
            return null;
        }
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
            theirs = shared.conversationsOf(username);
        } catch (StoreException e) {
            throw new Refusal(Refusal.Cause.NOT_STORED,
                    "not stored: cannot read your conversations: " + e.getMessage());
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
        ConversationSnapshot snapshot = shared.snapshot(id);
        var conversation = new Conversation(id, snapshot.lastSequence());
        conversation.cursor = snapshot.cursor();
        conversations.put(id, conversation);
        snapshot.members().forEach(member -> addMember(conversation, member));
        return conversation;
    }

    /** On a shared store: stops following {@code conversation} once none of its members is a user of this node. */
    private void unfollowIfNoneHere(Conversation conversation) {
        if (shared == null || conversations.get(conversation.id) != conversation) {
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
     * On a shared store: another node has {@code session}'s user (it took them over), or a look-alike
     * of them, online: drops them here without a word to anyone else, telling their client {@code why}.
     *
     * @return true if its connection is still open, to be closed once the lock is released
     */
    private boolean letGo(Session session, String why) {
        log.info("{} let go: {}", session.username, why);
        List<Conversation> theirs = new ArrayList<>(memberships.getOrDefault(Rules.key(session.username), Set.of()));
        forgetLocal(session);
        session.username = null;
        session.status = null;
        theirs.forEach(this::unfollowIfNoneHere);
        if (session.detached) {
            return false;
        }
        clients.broadcast(List.of(session), new Error(why, Register.class.getSimpleName()));
        return true;
    }

    /** On a shared store: the conversations followed now (see {@link ClusterNode.Followers#followed()}). */
    Set<Long> followed() {
        return Set.copyOf(conversations.keySet());
    }

    /** On a shared store: see {@link ClusterNode.Followers#cursor(long)}. */
    long cursor(long conversationId) {
        Conversation conversation = conversations.get(conversationId);
        return conversation == null ? -1 : conversation.cursor;
    }

    /** On a shared store: see {@link ClusterNode.Followers#sent(long, long)}. */
    boolean sent(long conversationId, long sequence) {
        Conversation conversation = conversations.get(conversationId);
        return conversation == null || conversation.lastSent() >= sequence;
    }

    /**
     * On a shared store: applies {@code page} of a conversation's feed, read after {@code after}, if
     * its cursor is still there (see {@link ClusterNode.Followers#apply}).
     *
     * @return true if applied and more may follow
     */
    boolean applyChanges(long conversationId, long after, ChangePage page) throws StoreException {
        Conversation conversation = conversations.get(conversationId);
        if (conversation == null || conversation.cursor != after) {
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
            applyChange(conversation, change);
            if (conversations.get(conversationId) != conversation) {
                return false;
            }
            conversation.cursor = change.cursor();
        }
        return true;
    }

    /** Sends a message to the members here, or changes who is in. */
    private void applyChange(Conversation conversation, Change change) {
        switch (change) {
            case Change.Posted posted -> {
                if (posted.message().sequence() > conversation.lastSent()) {
                    clients.broadcast(memberSessions(conversation), message(posted.message()));
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

    /** On a shared store: tells invited users here about conversations just created on other nodes. */
    void created(List<Change.Created> created) {
        for (Change.Created conversation : created) {
            if (invitedHere.remove(conversation.conversationId())) {
                continue;
            }
            List<Session> invited = new ArrayList<>();
            for (String key : conversation.invited()) {
                Session user = online.get(key);
                if (user != null && !user.detached) {
                    invited.add(user);
                }
            }
            clients.broadcast(invited, new Invitation(conversation.conversationId(), conversation.creator()));
        }
    }

    /**
     * On a shared store: makes the online list what the store said (see
     * {@link ClusterNode.Followers#presence}).
     *
     * @return the sessions of users taken over by another node, or refused when put in again because
     *         another node let them or a look-alike in while this node counted as dead or could not
     *         reach the store, whose connections are still open, to be closed once the lock is released
     */
    List<Session> presence(Map<String, Presence> presence, long readAt, boolean republish) {
        List<Session> toClose = new ArrayList<>();
        if (republish || unpublished) {
            unpublished = false;
            for (Session session : List.copyOf(online.values())) {
                Presence blocker = publish(session);
                if (blocker != null && letGo(session, Rules.key(blocker.username()).equals(Rules.key(session.username))
                        ? SIGNED_IN_ELSEWHERE : nameTaken(session.username, blocker.username()).getMessage())) {
                    toClose.add(session);
                }
            }
        }
        boolean changed = false;
        for (String key : new ArrayList<>(remote.keySet())) {
            Presence now = presence.get(key);
            if (now == null || now.nodeId().equals(nodeId)) {
                String name = remote.get(key).username();
                forgetRemote(key);
                if (!online.containsKey(key)) {
                    this.presence.offline(name);
                    changed = true;
                }
            }
        }
        for (var entry : presence.entrySet()) {
            String key = entry.getKey();
            Presence user = entry.getValue();
            Session local = online.get(key);
            if (user.nodeId().equals(nodeId)) {
                if (local == null) {
                    withdraw(key);
                }
                continue;
            }
            if (local != null && local.changedAt - readAt > 0) {
                continue;
            }
            String wasStatus = local != null ? local.status : null;
            if (local != null && letGo(local, SIGNED_IN_ELSEWHERE)) {
                toClose.add(local);
            }
            Presence was = remote.put(key, user);
            if (was != null) {
                wasStatus = was.status();
                remoteLookAlikes.remove(Rules.lookAlike(was.username()));
            }
            remoteLookAlikes.put(Rules.lookAlike(user.username()), user.username());
            if (!user.status().equals(wasStatus)) {
                this.presence.online(user.username(), user.status());
                changed = true;
            }
        }
        if (changed) {
            this.presence.send(this);
        }
        return toClose;
    }

    /**
     * Removes this node's entry for user {@code key} from the store, if it is there: a user no longer
     * here (from before a restart, say), whom nobody else removes, or one whose registration failed.
     */
    private void withdraw(String key) {
        try {
            shared.removePresence(key, nodeId);
        } catch (StoreException e) {
            log.debug("could not remove {} from the store: {}", key, e.getMessage());
        }
    }
}
