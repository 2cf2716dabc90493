package dev.parley.server;

import dev.parley.im.ImEvent;

import java.util.List;

/**
 * How the {@link ChatCore}, the {@link Gate} and the {@link PresenceBatcher} reach clients, each by
 * its {@link Session}: {@link ImServer} sends through its endpoint, a test records what was sent.
 */
interface Clients {

    /**
     * Queues {@code event} for each of {@code to}, encoded once, without waiting: a client too slow
     * to take it is dropped. Called holding the server's lock, so that every client gets events in
     * the order they were made.
     */
    void broadcast(List<Session> to, ImEvent event);

    /**
     * Sends {@code event}, answering {@code request}, to {@code to} alone, waiting while its queue is
     * full. Never called holding the server's lock: a client that does not read holds up only itself.
     */
    void reply(Session to, ImEvent event, String request);

    /** Closes {@code session}'s connection. Never called holding the server's lock. */
    void close(Session session);
}
