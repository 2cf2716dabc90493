package dev.parley;

import dev.parley.internal.rpc.PendingCalls;
import dev.parley.internal.rpc.RemoteInvoker;
import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The other end of one connection, spoken to in messages: {@link #send} encodes with the
 * endpoint's codec, {@link #remote} gives a proxy whose calls run on the peer.
 *
 * <p>Thread-safe. Sends from one thread arrive in the order they were made.
 */
public final class Peer {

    private final Endpoint endpoint;
    private final Connection connection;
    private final PendingCalls pendingCalls = new PendingCalls();
    private final Semaphore callSlots;
    private final Thread deliveryThread;
    private final RemoteInvoker.Channel channel = new RemoteInvoker.Channel() {
        @Override
        public PendingCalls pendingCalls() {
            return pendingCalls;
        }

        @Override
        public void send(Object message) throws IOException {
            Peer.this.send(message);
        }

        @Override
        public boolean isDeliveryThread() {
            return Thread.currentThread() == deliveryThread;
        }
    };

    /**
     * @param deliveryThread the thread that delivers this peer's messages, which every transport
     *                       keeps for the life of a connection
     */
    Peer(Endpoint endpoint, Connection connection, int maxConcurrentCalls, Thread deliveryThread) {
        this.endpoint = endpoint;
        this.connection = connection;
        this.callSlots = new Semaphore(maxConcurrentCalls);
        this.deliveryThread = deliveryThread;
    }

    /**
     * The transport connection underneath, for its addresses, statistics and close cause. Its
     * {@linkplain Connection#attachment() attachment} is this peer: do not replace it.
     */
    public Connection connection() {
        return connection;
    }

    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /**
     * Encodes and queues {@code message}, waiting while the connection's outbound queue is full.
     *
     * @throws IllegalArgumentException if the message's class is not registered in the codec
     * @throws dev.parley.transport.FrameTooLongException if it encodes to more than the maximum frame length
     * @throws ConnectionClosedException if the connection is closed
     */
    public void send(Object message) throws IOException {
        connection.send(endpoint.codec().encode(message));
    }

    /** Sends an answer from the delivery thread: see {@link Connection#sendBatched}. */
    void sendBatched(Object message) throws IOException {
        connection.sendBatched(endpoint.codec().encode(message));
    }

    /**
     * Encodes and queues {@code message} if the outbound queue has room.
     *
     * @return false if the queue is full and the message was not queued
     */
    public boolean trySend(Object message) throws ConnectionClosedException {
        return connection.trySend(endpoint.codec().encode(message));
    }

    /** Sends {@code message} best effort, see {@link Connection#sendUnreliable}. */
    public boolean sendUnreliable(Object message) throws ConnectionClosedException {
        return connection.sendUnreliable(endpoint.codec().encode(message));
    }

    /** A proxy of {@code iface} whose calls run on the peer, each with the endpoint's default deadline. */
    public <I> I remote(Class<I> iface) {
        return remote(iface, endpoint.defaultDeadline());
    }

    /**
     * A proxy of {@code iface} whose calls run on the peer, each failing with
     * {@link dev.parley.rpc.RemoteTimeoutException} if no answer comes within {@code deadline}.
     * Methods returning {@code CompletableFuture} return at once; others wait for the answer.
     */
    public <I> I remote(Class<I> iface, Duration deadline) {
        return RemoteInvoker.proxy(iface, channel, deadline);
    }

    /** How many remote calls this side is waiting on. */
    public int outstandingCalls() {
        return pendingCalls.outstanding();
    }

    public boolean isOpen() {
        return connection.isOpen();
    }

    /** Closes gracefully, see {@link Connection#close()}. */
    public void close() {
        connection.close();
    }

    /** Completes with the cause once the connection is closed. */
    public CompletableFuture<ConnectionClosedException> closeFuture() {
        return connection.closeFuture();
    }

    PendingCalls pendingCalls() {
        return pendingCalls;
    }

    Semaphore callSlots() {
        return callSlots;
    }

    @Override
    public String toString() {
        return "Peer[" + connection.transportName() + " " + connection.remoteAddress() + "]";
    }
}
