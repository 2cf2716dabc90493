package dev.parley.im;

/** A message the IM server sends to a client. Sealed, like {@link ImRequest}. */
public sealed interface ImEvent permits OnlineUsers, OnlineUsersChanged, Invitation, Conversations, Message, Error,
        History {
}
