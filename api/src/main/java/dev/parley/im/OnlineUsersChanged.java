package dev.parley.im;

import java.util.Map;
import java.util.Set;

/**
 * What changed in the online list since the last change the server announced: {@code online} are
 * users who came online or changed status, with their status now; {@code offline} are users who went
 * offline. Sent to every registered user, several changes coalesced into one. It states the latest
 * state of each user it names, so applying it twice, or to an {@link OnlineUsers} snapshot that
 * already holds it, leaves the same view. A user is never in both; the constructor throws
 * {@link IllegalArgumentException} if one is.
 */
public record OnlineUsersChanged(Map<String, String> online, Set<String> offline) implements ImEvent {

    public OnlineUsersChanged {
        online = Map.copyOf(online);
        offline = Set.copyOf(offline);
        for (String username : offline) {
            if (online.containsKey(username)) {
                throw new IllegalArgumentException(username + " is both online and offline");
            }
        }
    }

    /** {@code view}, a mutable map of username to status, brought up to date with this change. */
    public void applyTo(Map<String, String> view) {
        view.putAll(online);
        view.keySet().removeAll(offline);
    }
}
