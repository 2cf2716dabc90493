package dev.parley.server;

import dev.parley.Peer;

/**
 * One client connection and, once it has registered, its user. Guarded by the server's lock:
 * only {@link ImServer} touches it, always holding that lock.
 */
final class Session {

    final Peer peer;
    final RateLimit rate;
    /** Null until registered, and again after goodbye. */
    String username;
    String status;
    /** True from a {@code Register} until its password check is answered, on a server with accounts. */
    boolean checkingPassword;
    /** True once its connection dropped without a goodbye, while the user keeps their place. */
    boolean detached;
    /** {@code System.nanoTime()} when it last registered or was detached: what the store said before is older news. */
    long changedAt;

    Session(Peer peer, RateLimit rate) {
        this.peer = peer;
        this.rate = rate;
    }

    boolean isRegistered() {
        return username != null;
    }
}
