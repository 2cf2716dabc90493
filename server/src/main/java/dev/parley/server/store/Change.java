package dev.parley.server.store;

import java.util.List;
import java.util.Objects;

/**
 * One entry of a {@link SharedStore}'s change feeds: what happened to a conversation, at a cursor
 * that orders it among the changes of its feed. A node applies a feed's changes in cursor order,
 * each once, and so sees every conversation as the store does.
 */
public sealed interface Change {

    /**
     * Its place in its feed: greater than every earlier change's there. In a conversation's feed
     * cursors grow but need not be dense (trimming leaves holes at the start); in the feed of
     * {@linkplain SharedStore#created created conversations} the cursor is the conversation id.
     */
    long cursor();

    /** The conversation it happened to. */
    long conversationId();

    /**
     * A conversation began, with {@code creator} its one member and {@code invited} invited (both as
     * given to {@link ChatStore#create}). Only in the feed of created conversations, where
     * {@code cursor} equals {@code conversationId}.
     */
    record Created(long cursor, long conversationId, String creator, List<String> invited) implements Change {
        public Created {
            Objects.requireNonNull(creator, "creator");
            invited = List.copyOf(invited);
        }
    }

    /** {@code user} became a member (through {@link ChatStore#join}). Joining twice records nothing the second time. */
    record Joined(long cursor, long conversationId, String user) implements Change {
        public Joined {
            Objects.requireNonNull(user, "user");
        }
    }

    /**
     * {@code user} left (through {@link ChatStore#leave}); when nobody is left the conversation ended
     * and its feed is gone (a later read says {@linkplain ChangePage#ended() ended}).
     */
    record Left(long cursor, long conversationId, String user) implements Change {
        public Left {
            Objects.requireNonNull(user, "user");
        }
    }

    /** A message was appended (a duplicate append records nothing). Posted changes come in sequence order. */
    record Posted(long cursor, StoredMessage message) implements Change {
        public Posted {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public long conversationId() {
            return message.conversationId();
        }
    }
}
