package dev.parley.im;

import java.util.Map;

/** Every online user and their status; sent to everyone on every change, and periodically. */
public record OnlineUsers(Map<String, String> users) implements ImEvent {

    public OnlineUsers {
        users = Map.copyOf(users);
    }
}
