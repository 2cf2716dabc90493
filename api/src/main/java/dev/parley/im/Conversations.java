package dev.parley.im;

import java.util.List;
import java.util.Map;

/** The answer to {@link ListConversations}: each ongoing conversation's id and its members. */
public record Conversations(Map<Long, List<String>> conversations) implements ImEvent {

    public Conversations {
        conversations = Map.copyOf(conversations);
    }
}
