package dev.parley.server.store;

import java.util.Objects;

/**
 * A user online on one node of several sharing a {@link SharedStore}.
 *
 * @param username as the user registered (the key it is stored under is the server's folded form)
 * @param status   the user's status
 * @param nodeId   the node that holds the user's connection, or held it and keeps the user's place
 * @param detached the connection dropped without a goodbye and the node keeps the user's place for its
 *                 resume window: another node may take the user over when they register there
 */
public record Presence(String username, String status, String nodeId, boolean detached) {

    public Presence {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(nodeId, "nodeId");
    }
}
