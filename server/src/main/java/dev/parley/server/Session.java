package dev.parley.server;

import dev.parley.Peer;

import java.net.SocketAddress;

/**
 * One client connection and, once it has registered, its user. Guarded by the server's lock:
 * {@link ImServer}, its {@link Gate} and its {@link ChatCore} touch it only holding that lock.
 */
final class Session {

    /**
     * The connection, which only {@link ImServer} speaks to: the gate and the chat core reach the
     * client through {@link Clients}, so a test of either needs no connection and gives none.
     */
    final Peer peer;
    /** Where the client connects from, for the log. */
    final SocketAddress from;
    final RateLimit rate;
    /** Null until registered, and again after goodbye. */
    String username;
    String status;
    /** True from a {@code Register} until its password check is answered, on a server with accounts. */
    boolean checkingPassword;
    /** True once its connection closed, whatever became of its user. */
    boolean closed;
    /** True once its connection dropped without a goodbye, while the user keeps their place. */
    boolean detached;
    /** {@code System.nanoTime()} when it last registered or was detached: what the store said before is older news. */
    long changedAt;

    Session(Peer peer, SocketAddress from, RateLimit rate) {
        this.peer = peer;
        this.from = from;
        this.rate = rate;
    }

    boolean isRegistered() {
        return username != null;
    }
}
