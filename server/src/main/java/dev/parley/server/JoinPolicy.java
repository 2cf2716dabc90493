package dev.parley.server;

/** Who may {@link dev.parley.im.Join} a conversation. */
public enum JoinPolicy {

    /**
     * Any registered user may join any ongoing conversation by its id, as in the classic protocol,
     * where {@link dev.parley.im.ListConversations} shows every conversation to everyone. The default.
     */
    OPEN,

    /** Only the users an {@link dev.parley.im.Invite} named (and the inviter) may join. */
    INVITED_ONLY
}
