package dev.parley.im;

import java.util.Map;

/**
 * Every online user and their status: the snapshot a user gets on registering (themselves included),
 * and everyone gets periodically; changes in between come as {@link OnlineUsersChanged}.
 */
public record OnlineUsers(Map<String, String> users) implements ImEvent {

    public OnlineUsers {
        users = Map.copyOf(users);
    }
}
