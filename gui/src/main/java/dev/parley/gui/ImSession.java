package dev.parley.gui;

import dev.parley.im.Error;
import dev.parley.im.History;
import dev.parley.im.ImClient;
import dev.parley.im.ImException;
import dev.parley.im.ImListener;
import dev.parley.im.ImProtocol;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.ReconnectPolicy;
import dev.parley.server.cli.Addresses;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import dev.parley.transport.tcp.TcpTls;
import dev.parley.transport.tcp.TcpTransport;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The one place the desktop client talks to {@link ImClient}: it signs in, turns each request of
 * the window into a call, and feeds every event the server sends into a {@link ChatModel}.
 *
 * <p>Threads: the methods may be called from any thread (the window calls them on the
 * event-dispatch thread) and return at once; the network calls run in order on one thread of
 * their own, so the event-dispatch thread never waits for the network. Every change to the model
 * is handed to {@code ui} (in the application {@code SwingUtilities::invokeLater}), never made on
 * the connection's thread. A request that cannot be sent is reported to the model as a problem.
 *
 * <p>The client reconnects by itself under a {@link ReconnectPolicy} (by default
 * {@link ReconnectPolicy#defaults()}, as {@code parley chat}), trying each server of the sign-in's
 * comma-separated list in turn: its "reconnecting" and "back" callbacks are
 * {@link ChatModel#reconnecting} and {@link ChatModel#connected}, a gap the server can no longer
 * fill is {@link ChatModel#gap}; only once it gives up is the model {@link ConnectionState#DISCONNECTED}.
 * Sends made meanwhile wait in the client and go out once it is back. Each message shows the
 * server's time and number; a sent one appears once the server has stored it (its own copy coming
 * back), never before, so what the window shows is what the others see.
 */
public final class ImSession implements AutoCloseable {

    /** Messages asked for per page of older history. */
    public static final int DEFAULT_HISTORY_PAGE = 50;

    /** How long the server may take to answer a sign-in. */
    public static final Duration SIGN_IN_TIMEOUT = Duration.ofSeconds(20);

    private final ChatModel model;
    private final Executor ui;
    private final Clock clock;
    private final ReconnectPolicy policy;
    private final ExecutorService network = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("parley-gui-network").factory());
    private volatile ImClient client;
    private volatile String me = "";
    private volatile boolean closing;
    private final Set<Long> loadingOlder = ConcurrentHashMap.newKeySet();

    /** A session feeding {@code model} through {@code ui}, reconnecting under {@link ReconnectPolicy#defaults()}. */
    public ImSession(ChatModel model, Executor ui, Clock clock) {
        this(model, ui, clock, ReconnectPolicy.defaults());
    }

    /** A session feeding {@code model} through {@code ui}, stamping notices with {@code clock}'s time, reconnecting under {@code policy}. */
    public ImSession(ChatModel model, Executor ui, Clock clock, ReconnectPolicy policy) {
        this.model = Objects.requireNonNull(model, "model");
        this.ui = Objects.requireNonNull(ui, "ui");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Connects and registers. The future completes once signed in, or fails with an exception whose
     * message says in words what went wrong (unreachable, name taken, wrong password, a TLS file
     * that cannot be read); the model is told either way.
     */
    public CompletableFuture<Void> signIn(SignIn signIn) {
        ui.execute(() -> model.connecting("connecting to " + signIn.server()));
        return CompletableFuture.runAsync(() -> {
            try {
                register(signIn);
            } catch (SignInException e) {
                ui.execute(() -> model.disconnected(e.getMessage()));
                throw new CompletionException(e);
            }
        }, network);
    }

    /** Why a sign-in failed, in words a person can act on. */
    public static final class SignInException extends Exception {
        SignInException(String message) {
            super(message);
        }
    }

    private void register(SignIn signIn) throws SignInException {
        List<SocketAddress> servers = servers(signIn.server());
        String address = servers.stream().map(Addresses::format).collect(Collectors.joining(", "));
        Transport transport = transport(signIn);
        ImClient connected;
        try {
            connected = ImClient.connect(transport, servers, new Events(), policy);
        } catch (IOException e) {
            throw new SignInException("Cannot reach " + address + " over " + transport.name()
                    + ": " + e.getMessage());
        }
        try {
            connected.register(signIn.user().strip(), signIn.status().strip(), signIn.password())
                    .get(SIGN_IN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            connected.close();
            throw new SignInException(e.getCause() instanceof ImException refused
                    ? "The server said: " + refused.getMessage()
                    : "Lost the server while signing in: " + e.getCause().getMessage());
        } catch (IOException e) {
            connected.close();
            throw new SignInException("Lost the server while signing in: " + e.getMessage());
        } catch (TimeoutException e) {
            connected.close();
            throw new SignInException("No answer from " + address + " within "
                    + SIGN_IN_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            connected.close();
            Thread.currentThread().interrupt();
            throw new SignInException("Signing in was interrupted");
        }
        client = connected;
        me = signIn.user().strip();
        String name = me;
        ui.execute(() -> model.connected(name));
        refreshNow(connected);
    }

    /** The servers of a comma-separated list of {@code host:port}, as the sign-in dialog takes them. */
    static List<SocketAddress> servers(String list) throws SignInException {
        var servers = new ArrayList<SocketAddress>();
        for (String server : list.split(",")) {
            if (!server.isBlank()) {
                try {
                    servers.add(Addresses.parse(server.strip(), ImProtocol.DEFAULT_PORT));
                } catch (RuntimeException e) {
                    throw new SignInException("Server: " + e.getMessage());
                }
            }
        }
        if (servers.isEmpty()) {
            throw new SignInException("Server: give host:port, or several separated by commas");
        }
        return servers;
    }

    private static Transport transport(SignIn signIn) throws SignInException {
        Transport transport;
        try {
            transport = Transport.byName(signIn.transport());
        } catch (IllegalArgumentException e) {
            throw new SignInException(e.getMessage());
        }
        if (signIn.tlsTrust() == null) {
            return transport;
        }
        if (!transport.name().equals(TcpTransport.NAME)) {
            throw new SignInException("TLS works over tcp only, not " + transport.name());
        }
        try {
            return TcpTransport.create(transport.options(), TcpTls.client(signIn.tlsTrust()));
        } catch (IOException e) {
            throw new SignInException("TLS trust file: " + e.getMessage());
        }
    }

    /** Starts a conversation with {@code usernames}; the server's invitation opens it, and its listing names the members. */
    public void invite(List<String> usernames) {
        var names = List.copyOf(usernames);
        call("invite " + String.join(", ", names), client -> {
            client.invite(names);
            refreshNow(client);
        });
    }

    /**
     * Joins conversation {@code id} (accepting its invitation, if any), then asks who is in it and
     * for its newest {@value #DEFAULT_HISTORY_PAGE} messages, which reach the model as
     * {@link ChatModel#olderLoaded}: what was said before one joined shows at once.
     */
    public void join(long id) {
        ui.execute(() -> model.joined(id));
        call("join #" + id, client -> {
            client.join(id);
            refreshNow(client);
            if (loadingOlder.add(id)) {
                requestOlder(client, id, Long.MAX_VALUE);
            }
        });
    }

    /** Turns down the invitation to {@code id}; the server is not told (it has no such request). */
    public void dismiss(long id) {
        ui.execute(() -> model.dismissed(id));
    }

    /**
     * Sends {@code text} to conversation {@code id}. If the server refuses it (too long, over the
     * rate limit, not stored) or it cannot be sent, the text goes back to the model as
     * {@link ChatModel#notSent}, so that nothing typed is lost; the reason arrives as a problem.
     */
    public void send(long id, String text) {
        call("send to #" + id, client -> {
            try {
                client.send(id, text).whenComplete((sequence, failure) -> {
                    if (failure != null) {
                        ui.execute(() -> model.notSent(id, text));
                    }
                });
            } catch (IOException | RuntimeException e) {
                ui.execute(() -> model.notSent(id, text));
                throw e;
            }
        });
    }

    /**
     * Asks for the page of {@value #DEFAULT_HISTORY_PAGE} messages before sequence number
     * {@code before} of conversation {@code id}, which reach the model as
     * {@link ChatModel#olderLoaded}; nothing if {@code before} is the first, or while a page for
     * that conversation is on its way.
     */
    public void loadOlder(long id, long before) {
        if (before <= 1 || !loadingOlder.add(id)) {
            return;
        }
        call("load older messages of #" + id, client -> requestOlder(client, id, before));
    }

    /** Asks for the page before sequence number {@code before} ({@link Long#MAX_VALUE}: the newest page); {@code id} is in {@link #loadingOlder}. */
    private void requestOlder(ImClient client, long id, long before) throws IOException {
        try {
            client.history(id, before - 1, true, DEFAULT_HISTORY_PAGE)
                    .whenComplete((history, failure) -> olderLoaded(id, before, history, failure));
        } catch (IOException | RuntimeException e) {
            loadingOlder.remove(id);
            throw e;
        }
    }

    private void olderLoaded(long id, long before, History history, Throwable failure) {
        loadingOlder.remove(id);
        if (failure != null) {
            ui.execute(() -> model.problem("Cannot load older messages of #" + id + ": " + failure.getMessage()));
            return;
        }
        var older = history.messages().stream().filter(message -> message.sequence() < before).map(this::line).toList();
        boolean more = !older.isEmpty() && older.getFirst().sequence() > history.firstSequence();
        ui.execute(() -> model.olderLoaded(id, older, more));
    }

    public void leave(long id) {
        ui.execute(() -> model.left(id));
        call("leave #" + id, client -> client.leave(id));
    }

    public void status(String status) {
        call("change status", client -> client.status(status));
    }

    /** Asks for the ongoing conversations again. */
    public void refresh() {
        call("list conversations", this::refreshNow);
    }

    /** Says goodbye to the server and stops the network thread; idempotent. */
    @Override
    public void close() {
        closing = true;
        network.execute(() -> {
            var current = client;
            if (current != null) {
                try {
                    current.goodbye();
                } catch (IOException e) {
                    current.close();
                }
            }
        });
        network.shutdown();
    }

    /** A request to the server, made on the network thread. */
    @FunctionalInterface
    private interface Call {
        void run(ImClient client) throws IOException;
    }

    private void call(String what, Call call) {
        network.execute(() -> {
            var current = client;
            if (current == null) {
                ui.execute(() -> model.problem("Cannot " + what + ": not signed in"));
                return;
            }
            try {
                call.run(current);
            } catch (IOException e) {
                ui.execute(() -> model.problem("Cannot " + what + ": " + e.getMessage()));
            }
        });
    }

    private void refreshNow(ImClient current) {
        try {
            current.list();
        } catch (IOException e) {
            ui.execute(() -> model.problem("Cannot list conversations: " + e.getMessage()));
        }
    }

    private ChatLine line(Message message) {
        return new ChatLine(message.sequence(), message.sender(), message.text(),
                Instant.ofEpochMilli(message.timestampMillis()), message.sender().equalsIgnoreCase(me));
    }

    /** The server's events, on the connection's thread: each is handed to the model's thread. */
    private final class Events implements ImListener {
        @Override
        public void onOnlineUsers(Map<String, String> users) {
            ui.execute(() -> model.onlineUsers(users));
        }

        @Override
        public void onOnlineUsersChanged(Map<String, String> online, Set<String> offline) {
            ui.execute(() -> model.onlineChanged(online, offline));
        }

        @Override
        public void onInvitation(Invitation invitation) {
            ui.execute(() -> model.invited(invitation));
        }

        @Override
        public void onMessage(Message message) {
            var line = line(message);
            ui.execute(() -> model.message(message.conversationId(), line));
        }

        @Override
        public void onReconnecting(ConnectionClosedException cause) {
            ui.execute(() -> model.reconnecting(cause.getMessage()));
        }

        @Override
        public void onReconnected() {
            String name = me;
            ui.execute(() -> model.connected(name));
        }

        @Override
        public void onGap(long conversationId, long fromSequence, long toSequence) {
            var at = clock.instant();
            ui.execute(() -> model.gap(conversationId, fromSequence, toSequence, at));
        }

        @Override
        public void onConversations(Map<Long, List<String>> conversations) {
            ui.execute(() -> model.ongoing(conversations));
        }

        @Override
        public void onError(Error error) {
            if (!error.request().equals("Register")) {
                ui.execute(() -> model.problem(error.request().isEmpty()
                        ? error.message() : error.request() + ": " + error.message()));
            }
        }

        @Override
        public void onDisconnected(ConnectionClosedException cause) {
            if (client != null && !closing) {
                ui.execute(() -> model.disconnected("Connection lost: " + cause.getMessage()));
            }
        }
    }
}
