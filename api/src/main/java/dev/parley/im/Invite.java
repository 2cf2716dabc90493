package dev.parley.im;

import java.util.List;

/**
 * Create a conversation with these users and the inviter. The inviter is its first member; every
 * invited user, and the inviter, gets an {@link Invitation} and may {@link Join}.
 */
public record Invite(List<String> usernames) implements ImRequest {

    public Invite {
        usernames = List.copyOf(usernames);
    }
}
