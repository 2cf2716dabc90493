package dev.parley.server;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and settings of an {@link ImServer}. Immutable; start from {@link #defaults()} or
 * {@link #builder()} and change what you need:
 *
 * <pre>{@code
 * ServerOptions options = ServerOptions.builder()
 *         .onlineBroadcastPeriod(Duration.ofSeconds(5))
 *         .joinPolicy(JoinPolicy.INVITED_ONLY)
 *         .build();
 * }</pre>
 *
 * <p>Lengths count UTF-16 characters, as {@link String#length()} does.
 *
 * @param onlineBroadcastPeriod how often every registered client gets the whole online list again
 *                              ({@code OnlineUsers}), a resync on top of the changes it is sent
 *                              anyway; {@link Duration#ZERO} disables it. Each one sends every
 *                              user's name and status to every user: at 10,000 users about 150 KB
 *                              to each, 1.5 GB in all, hence a long default. Default 5 minutes.
 * @param maxUsernameLength     longest username. Usernames are 1 to this many ASCII letters, digits,
 *                              {@code _}, {@code .} or {@code -}, unique ignoring case and ASCII
 *                              look-alikes ({@code rn}/{@code m}, {@code vv}/{@code w},
 *                              {@code 0}/{@code o}, {@code 1}/{@code i}/{@code l}). Default 32.
 * @param maxStatusLength       longest status; a status is 1 to this many characters, none of them
 *                              control characters. Default 64.
 * @param maxTextLength         longest message text. Default 4096.
 * @param maxInvitees           most usernames one {@code Invite} may name. Default 100.
 * @param maxConversations      most conversations ongoing at once; past that, invitations are
 *                              refused until one ends. Default 10,000.
 * @param joinPolicy            who may join a conversation. Default {@link JoinPolicy#OPEN}.
 * @param messagesPerSecond     requests one connection may send per second, on average; a request
 *                              over the limit is answered with an {@code Error} starting
 *                              "slow down" and not carried out. 0 disables the limit. Default 50.
 * @param messageBurst          requests one connection may send at once, before the average
 *                              applies (a token bucket of this size, refilled at
 *                              {@code messagesPerSecond}). Default 100.
 * @param maxRefusedInARow      requests refused for the rate in a row after which the connection
 *                              is told why and closed. Default 50.
 * @param accounts              who may register, with which password; null for an open server,
 *                              where anyone may register any free name. Default null.
 * @param failedLoginDelay      with accounts, how long after a wrong password (or a name without an
 *                              account) the refusal is sent; the connection's other requests are
 *                              answered meanwhile, other clients never wait for it. Default 1 s.
 * @param maxConcurrentPasswordChecks with accounts, most passwords hashed at once, server-wide, each
 *                              on a thread of its own; a {@code Register} past that is refused at
 *                              once with an {@code Error} starting "busy". Default 2.
 * @param presenceDelay         how long changes to the online list (registrations, status changes,
 *                              sign-offs) are gathered before one {@code OnlineUsersChanged} tells
 *                              every registered user about all of them; the longer, the fewer
 *                              broadcasts while many users come and go, the later each is seen.
 *                              Each broadcast is a frame to every registered user: while users
 *                              come and go on a server of 10,000, 250 ms means 40,000 frames a
 *                              second, 50 ms five times that. {@link Duration#ZERO} sends each
 *                              change at once. Default 250 ms.
 * @param resumeWindow          how long a user whose connection dropped without a {@code Goodbye}
 *                              keeps their place (name, status, conversations) for a new
 *                              connection to take back, others seeing no change meanwhile; after
 *                              it they are signed off. {@link Duration#ZERO} signs them off at
 *                              once. Default 60 s.
 * @param maxHeldUsers          most users kept in their resume window at once, server-wide, so that
 *                              connections that register and drop again and again cannot hold
 *                              names without end; when one more drops past it, the user held
 *                              longest is signed off at once, as if their window had run out (the
 *                              one dropped last being the likeliest to come back). Default 1,000.
 * @param nodeId                on a {@link dev.parley.server.store.SharedStore} shared by several
 *                              nodes, this node's name, unique among the nodes live at once (it
 *                              names the node's lease and the users online on it; no control
 *                              characters); null for a
 *                              name made up at start-up. Unused on a store of one node. Default null.
 * @param nodeLease             on a shared store, how long this node counts as live after each
 *                              renewal (every {@code nodeSyncPeriod}): when a node dies, its users
 *                              go offline on the other nodes within this plus {@code nodeSyncPeriod}
 *                              plus {@code presenceDelay}, unless they came back on another node.
 *                              Longer than {@code nodeSyncPeriod}. Default 5 s.
 * @param nodeSyncPeriod        on a shared store, how often a node renews its lease and reads the
 *                              online list and the conversations it follows from the store whatever
 *                              hints it had: the longest a change waits when its hint is lost.
 *                              Positive. Default 1 s.
 */
public record ServerOptions(Duration onlineBroadcastPeriod, int maxUsernameLength, int maxStatusLength,
                            int maxTextLength, int maxInvitees, int maxConversations, JoinPolicy joinPolicy,
                            int messagesPerSecond, int messageBurst, int maxRefusedInARow, Accounts accounts,
                            Duration failedLoginDelay, int maxConcurrentPasswordChecks, Duration presenceDelay,
                            Duration resumeWindow, int maxHeldUsers, String nodeId, Duration nodeLease,
                            Duration nodeSyncPeriod) {

    /** Default {@link #onlineBroadcastPeriod()}, in seconds; the command line's default too. */
    public static final int DEFAULT_ONLINE_BROADCAST_SECONDS = 300;
    /** Default {@link #messagesPerSecond()}; the command line's default too. */
    public static final int DEFAULT_MESSAGES_PER_SECOND = 50;
    /** Default {@link #messageBurst()}; the command line's default too. */
    public static final int DEFAULT_MESSAGE_BURST = 100;

    /** Default {@link #failedLoginDelay()}, in milliseconds; the command line's default too. */
    public static final int DEFAULT_FAILED_LOGIN_DELAY_MILLIS = 1_000;
    /** Default {@link #maxConcurrentPasswordChecks()}; the command line's default too. */
    public static final int DEFAULT_MAX_CONCURRENT_PASSWORD_CHECKS = 2;
    /** Default {@link #presenceDelay()}, in milliseconds; the command line's default too. */
    public static final int DEFAULT_PRESENCE_DELAY_MILLIS = 250;
    /** Default {@link #resumeWindow()}, in seconds; the command line's default too. */
    public static final int DEFAULT_RESUME_WINDOW_SECONDS = 60;
    /** Default {@link #maxHeldUsers()}; the command line's default too. */
    public static final int DEFAULT_MAX_HELD_USERS = 1_000;
    /** Default {@link #nodeLease()}, in seconds; the command line's default too. */
    public static final int DEFAULT_NODE_LEASE_SECONDS = 5;
    /** Default {@link #nodeSyncPeriod()}, in milliseconds. */
    public static final int DEFAULT_NODE_SYNC_PERIOD_MILLIS = 1_000;

    private static final ServerOptions DEFAULTS = new ServerOptions(
            Duration.ofSeconds(DEFAULT_ONLINE_BROADCAST_SECONDS), 32, 64, 4096, 100, 10_000, JoinPolicy.OPEN,
            DEFAULT_MESSAGES_PER_SECOND, DEFAULT_MESSAGE_BURST, 50, null,
            Duration.ofMillis(DEFAULT_FAILED_LOGIN_DELAY_MILLIS), DEFAULT_MAX_CONCURRENT_PASSWORD_CHECKS,
            Duration.ofMillis(DEFAULT_PRESENCE_DELAY_MILLIS), Duration.ofSeconds(DEFAULT_RESUME_WINDOW_SECONDS),
            DEFAULT_MAX_HELD_USERS, null, Duration.ofSeconds(DEFAULT_NODE_LEASE_SECONDS),
            Duration.ofMillis(DEFAULT_NODE_SYNC_PERIOD_MILLIS));

    /** @throws IllegalArgumentException naming the first setting that is out of range */
    public ServerOptions {
        Objects.requireNonNull(onlineBroadcastPeriod, "onlineBroadcastPeriod");
        Objects.requireNonNull(joinPolicy, "joinPolicy");
        if (onlineBroadcastPeriod.isNegative()) {
            throw new IllegalArgumentException("onlineBroadcastPeriod must not be negative, was " + onlineBroadcastPeriod);
        }
        requireAtLeastOne(maxUsernameLength, "maxUsernameLength");
        requireAtLeastOne(maxStatusLength, "maxStatusLength");
        requireAtLeastOne(maxTextLength, "maxTextLength");
        requireAtLeastOne(maxInvitees, "maxInvitees");
        requireAtLeastOne(maxConversations, "maxConversations");
        if (messagesPerSecond < 0) {
            throw new IllegalArgumentException("messagesPerSecond must not be negative, was " + messagesPerSecond);
        }
        requireAtLeastOne(messageBurst, "messageBurst");
        requireAtLeastOne(maxRefusedInARow, "maxRefusedInARow");
        Objects.requireNonNull(failedLoginDelay, "failedLoginDelay");
        if (failedLoginDelay.isNegative()) {
            throw new IllegalArgumentException("failedLoginDelay must not be negative, was " + failedLoginDelay);
        }
        requireAtLeastOne(maxConcurrentPasswordChecks, "maxConcurrentPasswordChecks");
        Objects.requireNonNull(presenceDelay, "presenceDelay");
        if (presenceDelay.isNegative()) {
            throw new IllegalArgumentException("presenceDelay must not be negative, was " + presenceDelay);
        }
        Objects.requireNonNull(resumeWindow, "resumeWindow");
        if (resumeWindow.isNegative()) {
            throw new IllegalArgumentException("resumeWindow must not be negative, was " + resumeWindow);
        }
        requireAtLeastOne(maxHeldUsers, "maxHeldUsers");
        if (nodeId != null && (nodeId.isBlank() || nodeId.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException("nodeId must not be blank nor hold control characters, was '"
                    + nodeId.strip() + "'");
        }
        Objects.requireNonNull(nodeSyncPeriod, "nodeSyncPeriod");
        Objects.requireNonNull(nodeLease, "nodeLease");
        if (nodeSyncPeriod.isNegative() || nodeSyncPeriod.isZero()) {
            throw new IllegalArgumentException("nodeSyncPeriod must be positive, was " + nodeSyncPeriod);
        }
        if (nodeLease.compareTo(nodeSyncPeriod) <= 0) {
            throw new IllegalArgumentException("nodeLease must be longer than nodeSyncPeriod (" + nodeSyncPeriod
                    + "), was " + nodeLease);
        }
    }

    /** The defaults listed above. */
    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the defaults. */
    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void requireAtLeastOne(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }

    /** Builds {@link ServerOptions}; not thread-safe. */
    public static final class Builder {
        private Duration onlineBroadcastPeriod;
        private int maxUsernameLength;
        private int maxStatusLength;
        private int maxTextLength;
        private int maxInvitees;
        private int maxConversations;
        private JoinPolicy joinPolicy;
        private int messagesPerSecond;
        private int messageBurst;
        private int maxRefusedInARow;
        private Accounts accounts;
        private Duration failedLoginDelay;
        private int maxConcurrentPasswordChecks;
        private Duration presenceDelay;
        private Duration resumeWindow;
        private int maxHeldUsers;
        private String nodeId;
        private Duration nodeLease;
        private Duration nodeSyncPeriod;

        private Builder(ServerOptions from) {
            onlineBroadcastPeriod = from.onlineBroadcastPeriod;
            maxUsernameLength = from.maxUsernameLength;
            maxStatusLength = from.maxStatusLength;
            maxTextLength = from.maxTextLength;
            maxInvitees = from.maxInvitees;
            maxConversations = from.maxConversations;
            joinPolicy = from.joinPolicy;
            messagesPerSecond = from.messagesPerSecond;
            messageBurst = from.messageBurst;
            maxRefusedInARow = from.maxRefusedInARow;
            accounts = from.accounts;
            failedLoginDelay = from.failedLoginDelay;
            maxConcurrentPasswordChecks = from.maxConcurrentPasswordChecks;
            presenceDelay = from.presenceDelay;
            resumeWindow = from.resumeWindow;
            maxHeldUsers = from.maxHeldUsers;
            nodeId = from.nodeId;
            nodeLease = from.nodeLease;
            nodeSyncPeriod = from.nodeSyncPeriod;
        }

        public Builder onlineBroadcastPeriod(Duration period) {
            this.onlineBroadcastPeriod = period;
            return this;
        }

        public Builder maxUsernameLength(int characters) {
            this.maxUsernameLength = characters;
            return this;
        }

        public Builder maxStatusLength(int characters) {
            this.maxStatusLength = characters;
            return this;
        }

        public Builder maxTextLength(int characters) {
            this.maxTextLength = characters;
            return this;
        }

        public Builder maxInvitees(int usernames) {
            this.maxInvitees = usernames;
            return this;
        }

        public Builder maxConversations(int conversations) {
            this.maxConversations = conversations;
            return this;
        }

        public Builder joinPolicy(JoinPolicy policy) {
            this.joinPolicy = policy;
            return this;
        }

        /** Sets {@code messagesPerSecond}; 0 disables the rate limit. */
        public Builder messagesPerSecond(int requests) {
            this.messagesPerSecond = requests;
            return this;
        }

        public Builder messageBurst(int requests) {
            this.messageBurst = requests;
            return this;
        }

        public Builder maxRefusedInARow(int requests) {
            this.maxRefusedInARow = requests;
            return this;
        }

        /** Sets who may register, with which password; null makes the server open. */
        public Builder accounts(Accounts accounts) {
            this.accounts = accounts;
            return this;
        }

        public Builder failedLoginDelay(Duration delay) {
            this.failedLoginDelay = delay;
            return this;
        }

        public Builder maxConcurrentPasswordChecks(int checks) {
            this.maxConcurrentPasswordChecks = checks;
            return this;
        }

        /** Sets {@code resumeWindow}; {@link Duration#ZERO} signs a dropped user off at once. */
        public Builder resumeWindow(Duration window) {
            this.resumeWindow = window;
            return this;
        }

        public Builder maxHeldUsers(int users) {
            this.maxHeldUsers = users;
            return this;
        }

        /** Sets {@code presenceDelay}; {@link Duration#ZERO} sends each change of the online list at once. */
        public Builder presenceDelay(Duration delay) {
            this.presenceDelay = delay;
            return this;
        }

        /** Sets {@code nodeId}; null makes one up at start-up. */
        public Builder nodeId(String name) {
            this.nodeId = name;
            return this;
        }

        public Builder nodeLease(Duration lease) {
            this.nodeLease = lease;
            return this;
        }

        public Builder nodeSyncPeriod(Duration period) {
            this.nodeSyncPeriod = period;
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting that is out of range */
        public ServerOptions build() {
            return new ServerOptions(onlineBroadcastPeriod, maxUsernameLength, maxStatusLength, maxTextLength,
                    maxInvitees, maxConversations, joinPolicy, messagesPerSecond, messageBurst, maxRefusedInARow,
                    accounts, failedLoginDelay, maxConcurrentPasswordChecks, presenceDelay, resumeWindow,
                    maxHeldUsers, nodeId, nodeLease, nodeSyncPeriod);
        }
    }
}
