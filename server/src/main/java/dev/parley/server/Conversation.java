package dev.parley.server;

import dev.parley.Peer;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One ongoing conversation: who was invited and who is in it, in the order they joined. Guarded by
 * the server's lock, like {@link Session}.
 */
final class Conversation {

    final long id;
    /** The sessions an invitation went to, the inviter included; consulted under {@link JoinPolicy#INVITED_ONLY}. */
    final Set<Session> invited;
    final Set<Session> members = new LinkedHashSet<>();

    Conversation(long id, Set<Session> invited) {
        this.id = id;
        this.invited = invited;
    }

    List<String> memberNames() {
        return members.stream().map(member -> member.username).toList();
    }

    List<Peer> memberPeers() {
        return members.stream().map(member -> member.peer).toList();
    }
}
