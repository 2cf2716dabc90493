package dev.parley;

import dev.parley.codec.Codec;
import dev.parley.codec.CodecException;
import dev.parley.internal.rpc.Call;
import dev.parley.internal.rpc.Reply;
import dev.parley.internal.rpc.Services;
import dev.parley.rpc.Fault;
import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Where messages become calls to your code: decodes each frame with a {@link Codec}, dispatches it
 * by type to the handler registered with {@link Builder#on}, serves remote interfaces, and sends
 * through {@link Peer}s. The same endpoint can {@link #listen} and {@link #connect}, over any
 * transport.
 *
 * <pre>{@code
 * Endpoint endpoint = Endpoint.builder(codec)
 *         .on(Chat.class, (peer, chat) -> System.out.println(chat.text()))
 *         .serve(Greeter.class, new RealGreeter())
 *         .build();
 * try (Server server = endpoint.listen(Transport.byName("tcp"), new InetSocketAddress(6666))) { ... }
 * }</pre>
 *
 * <p><b>Threads.</b> Handlers run on the thread that delivers their peer's frames: one message at a
 * time per peer, in order. Remote methods that return {@code CompletableFuture} run there too,
 * without a thread hand-off per call: they must not block, only start their work and return the
 * future (the answer is sent when it completes, from the thread that completes it; answers of
 * futures already done leave together with the other answers to the frames of one read, see
 * {@link dev.parley.transport.Connection#sendBatched}). Every other
 * remote method runs on a virtual thread per call, so a slow method holds up neither the peer's
 * messages nor other calls. At most {@link Builder#maxConcurrentCalls} calls per peer run at once;
 * past that, reading from the peer waits.
 *
 * <p>A frame that does not decode closes that peer's connection with
 * {@link Reason#PROTOCOL_ERROR}; every other peer carries on. Immutable and thread-safe.
 */
public final class Endpoint {

    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

    private final Codec codec;
    private final Map<Class<?>, MessageHandler<?>> handlers;
    private final MessageHandler<Object> unhandled;
    private final Consumer<Peer> onOpen;
    private final BiConsumer<Peer, ConnectionClosedException> onClose;
    private final Services services;
    private final Duration defaultDeadline;
    private final int maxConcurrentCalls;
    private final ClassValue<MessageHandler<?>> dispatch = new ClassValue<>() {
        @Override
        protected MessageHandler<?> computeValue(Class<?> type) {
            return findHandler(type);
        }
    };

    private Endpoint(Builder b) {
        this.codec = b.codec;
        this.handlers = Map.copyOf(b.handlers);
        this.unhandled = b.unhandled;
        this.onOpen = b.onOpen;
        this.onClose = b.onClose;
        this.services = b.services;
        this.defaultDeadline = b.defaultDeadline;
        this.maxConcurrentCalls = b.maxConcurrentCalls;
    }

    /** Starts building an endpoint that encodes and decodes with {@code codec}. */
    public static Builder builder(Codec codec) {
        return new Builder(Objects.requireNonNull(codec, "codec"));
    }

    /**
     * Listens for peers on {@code transport} at {@code address} (port 0 picks a free port).
     *
     * @throws IOException if the address cannot be bound
     */
    public Server listen(Transport transport, SocketAddress address) throws IOException {
        Set<Peer> peers = ConcurrentHashMap.newKeySet();
        Adapter adapter = new Adapter(peers);
        return new Server(this, transport.listen(address, adapter), peers);
    }

    /**
     * Connects to a peer listening on {@code transport} at {@code address}. The endpoint's
     * {@code onOpen} callback has run by the time this returns.
     *
     * @throws IOException if the connection cannot be opened
     */
    public Peer connect(Transport transport, SocketAddress address) throws IOException {
        Adapter adapter = new Adapter(null);
        transport.connect(address, adapter);
        // onOpen has run (the transport's contract), even if the peer has closed again since.
        Peer peer = adapter.firstPeer.getNow(null);
        if (peer == null) {
            throw new IllegalStateException(transport.name() + " returned from connect before calling onOpen");
        }
        return peer;
    }

    /**
     * Sends {@code message} to each peer, encoding it once. A peer whose outbound queue is full is
     * too slow to keep the order and completeness its messages promise, so it is aborted with
     * {@link Reason#SLOW_CONSUMER} rather than silently skipped; closed peers are passed over.
     * Never waits.
     *
     * @return how many peers the message was queued for
     * @throws IllegalArgumentException if the message's class is not registered
     */
    public int broadcast(Collection<Peer> peers, Object message) {
        byte[] frame = codec.encode(message);
        int queued = 0;
        for (Peer peer : peers) {
            try {
                if (peer.connection().trySend(frame)) {
                    queued++;
                } else {
                    peer.connection().abort(new ConnectionClosedException(Reason.SLOW_CONSUMER,
                            "outbound queue full during a broadcast of " + message.getClass().getSimpleName()));
                }
            } catch (ConnectionClosedException closed) {
                // The peer is going away; its handlers learn of it through onClose.
            }
        }
        return queued;
    }

    /** The codec messages are encoded with. */
    public Codec codec() {
        return codec;
    }

    Duration defaultDeadline() {
        return defaultDeadline;
    }

    private MessageHandler<?> findHandler(Class<?> type) {
        ArrayDeque<Class<?>> candidates = new ArrayDeque<>();
        candidates.add(type);
        while (!candidates.isEmpty()) {
            Class<?> candidate = candidates.poll();
            MessageHandler<?> handler = handlers.get(candidate);
            if (handler != null) {
                return handler;
            }
            if (candidate.getSuperclass() != null) {
                candidates.add(candidate.getSuperclass());
            }
            candidates.addAll(List.of(candidate.getInterfaces()));
        }
        return unhandled;
    }

    @SuppressWarnings("unchecked")
    private void dispatch(Peer peer, Object message) {
        switch (message) {
            case Call call -> serve(peer, call);
            case Reply reply -> peer.pendingCalls().answer(reply);
            case Fault fault -> peer.pendingCalls().answer(fault);
            default -> {
                var handler = (MessageHandler<Object>) dispatch.get(message.getClass());
                try {
                    handler.handle(peer, message);
                } catch (Exception | AssertionError e) {
                    log.warn("{}: handler for {} threw", peer, message.getClass().getSimpleName(), e);
                }
            }
        }
    }

    /**
     * Serves {@code call} on the delivery thread if its method returns {@code CompletableFuture}
     * (such a method only starts its work: no thread hand-off per call), else on a virtual thread
     * of its own (it may block). Either way it holds one of the peer's call slots while it runs.
     */
    private void serve(Peer peer, Call call) {
        try {
            peer.callSlots().acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (services.isAsync(call)) {
            invoke(peer, call);
        } else {
            Thread.ofVirtual().name("parley-call-" + call.id()).start(() -> invoke(peer, call));
        }
    }

    /**
     * Runs {@code call} and sends its answer. An answer known at once is sent batched: on the
     * delivery thread (a {@code CompletableFuture} method, which must not block) it leaves with
     * the other answers to the frames of the same read.
     */
    private void invoke(Peer peer, Call call) {
        try {
            Object answer = services.invoke(call, later -> answerCall(peer, call, later, false));
            if (answer != null) {
                answerCall(peer, call, answer, true);
            }
        } finally {
            peer.callSlots().release();
        }
    }

    private void answerCall(Peer peer, Call call, Object answer, boolean batched) {
        if (call.oneWay()) {
            if (answer instanceof Fault fault) {
                log.warn("{}: one-way call failed: {}: {}", peer, fault.type(), fault.message());
            }
            return;
        }
        try {
            if (batched) {
                peer.sendBatched(answer);
            } else {
                peer.send(answer);
            }
        } catch (IllegalArgumentException e) {
            long callId = answer instanceof Reply r ? r.callId() : ((Fault) answer).callId();
            sendQuietly(peer, new Fault(callId, IllegalArgumentException.class.getName(),
                    "the result cannot be sent: " + e.getMessage()));
        } catch (IOException e) {
            log.debug("{}: answer to a call not sent: {}", peer, e.getMessage());
        }
    }

    private static void sendQuietly(Peer peer, Object message) {
        try {
            peer.send(message);
        } catch (IOException | RuntimeException e) {
            log.debug("{}: could not send {}: {}", peer, message.getClass().getSimpleName(), e.getMessage());
        }
    }

    /**
     * Connects the transport's frame events to this endpoint, for one listener or one connection.
     * Each connection carries its {@link Peer} as its {@link Connection#attachment()}, set in
     * {@code onOpen}, so a frame finds its peer without a lookup.
     */
    private final class Adapter implements ConnectionHandler {
        private final Set<Peer> serverPeers;
        private final CompletableFuture<Peer> firstPeer = new CompletableFuture<>();

        Adapter(Set<Peer> serverPeers) {
            this.serverPeers = serverPeers;
        }

        @Override
        public void onOpen(Connection connection) {
            Peer peer = new Peer(Endpoint.this, connection, maxConcurrentCalls, Thread.currentThread());
            connection.attach(peer);
            firstPeer.complete(peer);
            if (serverPeers != null) {
                serverPeers.add(peer);
            }
            onOpen.accept(peer);
        }

        @Override
        public void onFrame(Connection connection, byte[] frame) {
            onFrame(connection, frame, 0, frame.length);
        }

        /** Decodes the frame where the transport read it: the message holds no reference to the bytes. */
        @Override
        public void onFrame(Connection connection, byte[] buffer, int offset, int length) {
            Peer peer = (Peer) connection.attachment();
            Object message;
            try {
                message = codec.decode(buffer, offset, length);
            } catch (CodecException e) {
                log.info("{}: closing after an undecodable frame: {}", peer, e.getMessage());
                connection.abort(new ConnectionClosedException(Reason.PROTOCOL_ERROR,
                        "undecodable frame: " + e.getMessage(), e));
                return;
            }
            dispatch(peer, message);
        }

        @Override
        public void onClose(Connection connection, ConnectionClosedException cause) {
            if (!(connection.attachment() instanceof Peer peer)) {
                return;
            }
            connection.attach(null);
            if (serverPeers != null) {
                serverPeers.remove(peer);
            }
            peer.pendingCalls().closeAll(cause);
            onClose.accept(peer, cause);
        }
    }

    /** Builds an {@link Endpoint}; not thread-safe. */
    public static final class Builder {
        private final Codec codec;
        private final Map<Class<?>, MessageHandler<?>> handlers = new HashMap<>();
        private MessageHandler<Object> unhandled = (peer, message) ->
                log.debug("{}: no handler for {}; ignored", peer, message.getClass().getName());
        private Consumer<Peer> onOpen = peer -> { };
        private BiConsumer<Peer, ConnectionClosedException> onClose = (peer, cause) -> { };
        private Services services = Services.none();
        private Duration defaultDeadline = Duration.ofSeconds(30);
        private int maxConcurrentCalls = 1024;

        private Builder(Codec codec) {
            this.codec = codec;
        }

        /**
         * Handles messages of {@code type}, or of its subtypes when they have no handler of their own
         * (so a handler for a sealed interface receives all its records).
         *
         * @throws IllegalArgumentException if {@code type} has a handler already
         */
        public <T> Builder on(Class<T> type, MessageHandler<? super T> handler) {
            Objects.requireNonNull(handler, "handler");
            if (handlers.putIfAbsent(Objects.requireNonNull(type, "type"), handler) != null) {
                throw new IllegalArgumentException(type.getName() + " has a handler already");
            }
            return this;
        }

        /** Handles messages no {@link #on} handler takes. Default: ignored, logged at debug. */
        public Builder onUnhandled(MessageHandler<Object> handler) {
            this.unhandled = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Called when a peer connects, before any of its messages, on its delivery thread. */
        public Builder onOpen(Consumer<Peer> callback) {
            this.onOpen = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /** Called once when a peer's connection closes, after its last message, with the cause. */
        public Builder onClose(BiConsumer<Peer, ConnectionClosedException> callback) {
            this.onClose = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /**
         * Serves {@code iface}'s methods to peers, run by {@code implementation}, which must be
         * thread-safe: calls from many peers, and many calls from one peer, run concurrently.
         * A method returning {@code CompletableFuture} runs on the peer's delivery thread and must
         * not block there: it starts the work and returns the future.
         */
        public <I> Builder serve(Class<I> iface, I implementation) {
            this.services = services.with(iface, Objects.requireNonNull(implementation, "implementation"));
            return this;
        }

        /** The deadline of calls through {@link Peer#remote(Class)}. Default 30 s. */
        public Builder defaultDeadline(Duration deadline) {
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + deadline);
            }
            this.defaultDeadline = deadline;
            return this;
        }

        /** Remote calls one peer may have running here at once. Default 1024. */
        public Builder maxConcurrentCalls(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be at least 1, was " + calls);
            }
            this.maxConcurrentCalls = calls;
            return this;
        }

        public Endpoint build() {
            return new Endpoint(this);
        }
    }
}
