package dev.parley.server;

import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Lock;

/**
 * The changes to the online list not yet told: each change (a registration, a status change, a
 * sign-off, what another node published) is gathered for {@link ServerOptions#presenceDelay()},
 * the latest state of each user winning, and sent to every user online here as one
 * {@link OnlineUsersChanged}, encoded once: n users coming online cost about n broadcasts of what
 * changed, not n broadcasts of the whole list. A change restates the current state of each user it
 * names, so one that reaches a user who registered after it was made, and whose snapshot already
 * holds it, changes nothing. {@link #broadcastWholeList} sends everyone the whole list instead.
 *
 * <p><b>Threads.</b> {@link #online}, {@link #offline} and {@link #send} are called holding the
 * server's lock (by the {@link ChatCore}, on whichever thread changed the list); the delayed send
 * runs on the {@link Scheduler}'s thread and {@link #broadcastWholeList} on the server's timer,
 * each taking that lock.
 */
final class PresenceBatcher {

    /** The server's log, as for the rest of {@link ImServer}. */
    private static final Logger log = LoggerFactory.getLogger(ImServer.class);

    /** Who is told: the users online here, and the online list of every node as last read. */
    interface Audience {

        /** The sessions of the users online here, connected now; called holding the lock. */
        List<Session> here();

        /** The whole online list, by name with status; called holding the lock. */
        Map<String, String> onlineList();
    }

    private final Duration delay;
    private final Lock lock;
    private final Scheduler scheduler;
    private final Clients clients;
    // Guarded by lock.
    /** Users now online, with their status, and users gone, not yet told. */
    private final Map<String, String> changedOnline = new LinkedHashMap<>();
    private final Set<String> changedOffline = new LinkedHashSet<>();
    private boolean sendScheduled;

    /** Gathers changes for {@code delay}, scheduled on {@code scheduler}; a delay of 0 sends each at once. */
    PresenceBatcher(Duration delay, Lock lock, Scheduler scheduler, Clients clients) {
        this.delay = delay;
        this.lock = lock;
        this.scheduler = scheduler;
        this.clients = clients;
    }

    /** Notes that {@code username} is online with {@code status}. */
    void online(String username, String status) {
        changedOffline.remove(username);
        changedOnline.put(username, status);
    }

    /** Notes that {@code username} went offline. */
    void offline(String username) {
        changedOnline.remove(username);
        changedOffline.add(username);
    }

    /** Sends the changes noted so far to {@code audience} now, or within the delay. */
    void send(Audience audience) {
        if (delay.isZero()) {
            sendNow(audience);
        } else if (!sendScheduled) {
            sendScheduled = true;
            try {
                scheduler.schedule(() -> sendLater(audience), delay);
            } catch (RejectedExecutionException closing) {
                log.debug("server closing: online list changes not sent");
            }
        }
    }

    private void sendLater(Audience audience) {
        lock.lock();
        try {
            sendNow(audience);
        } finally {
            lock.unlock();
        }
    }

    private void sendNow(Audience audience) {
        sendScheduled = false;
        if (changedOnline.isEmpty() && changedOffline.isEmpty()) {
            return;
        }
        var changes = new OnlineUsersChanged(changedOnline, changedOffline);
        changedOnline.clear();
        changedOffline.clear();
        clients.broadcast(audience.here(), changes);
    }

    /** On the timer, every {@link ServerOptions#onlineBroadcastPeriod()}: sends everyone here the whole list. */
    void broadcastWholeList(Audience audience) {
        lock.lock();
        try {
            List<Session> here = audience.here();
            if (!here.isEmpty()) {
                clients.broadcast(here, new OnlineUsers(audience.onlineList()));
            }
        } finally {
            lock.unlock();
        }
    }
}
