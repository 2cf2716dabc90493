package dev.parley.server;

import dev.parley.im.ImEvent;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Clients that are only sessions: what each was sent, in order, and which were closed. */
final class RecordingClients implements Clients {

    private final Map<Session, List<ImEvent>> sent = new HashMap<>();
    private final Set<Session> closed = new HashSet<>();
    private int connections;

    /** A client connected now, with an unlimited request budget. */
    Session connect() {
        return connect(new RateLimit(0, 1, 1, 0));
    }

    /** A client connected now, with {@code budget}. */
    Session connect(RateLimit budget) {
        connections++;
        return new Session(null, InetSocketAddress.createUnresolved("client-" + connections, 1), budget);
    }

    @Override
    public void broadcast(List<Session> to, ImEvent event) {
        to.forEach(session -> sentTo(session).add(event));
    }

    @Override
    public void reply(Session to, ImEvent event, String request) {
        sentTo(to).add(event);
    }

    @Override
    public void close(Session session) {
        closed.add(session);
    }

    /** What {@code session} was sent, in order, since it was last asked. */
    List<ImEvent> take(Session session) {
        List<ImEvent> events = List.copyOf(sentTo(session));
        sent.remove(session);
        return events;
    }

    boolean isClosed(Session session) {
        return closed.contains(session);
    }

    private List<ImEvent> sentTo(Session session) {
        return sent.computeIfAbsent(session, s -> new ArrayList<>());
    }
}
