package dev.parley.im;

/**
 * A message a client sends to the IM server. Sealed, so a {@code switch} over it is checked by the
 * compiler: a server that forgets a request does not compile.
 */
public sealed interface ImRequest
        permits Register, StatusChange, Goodbye, Invite, ListConversations, Join, SendMessage, Leave, GetHistory {
}
