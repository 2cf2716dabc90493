package dev.parley.server.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Where the IM server keeps what must outlive a connection and a restart: conversations (under ids
 * never given twice), who is in each and who was invited, and each conversation's log of messages,
 * numbered densely from 1. Users are named as the server names them (it passes the same spelling
 * for the same user).
 *
 * <p>Every operation names one conversation, except {@link #create} and {@link #conversations()},
 * so that a store spread over several machines can serve each conversation from one place. An
 * append is asynchronous: its stage completes once the message is durable, and stages of one
 * conversation may complete in any order (the caller orders them by sequence number). The other
 * writes return once durable.
 *
 * <p>Thread-safe: any thread may call any method. Stages complete on a thread of the store's
 * (the writer's, for {@link SqliteStore}) or on the calling thread; what is chained on them must
 * not block.
 */
public interface ChatStore extends AutoCloseable {

    /**
     * Starts a conversation under an id no conversation of this store ever had, with
     * {@code creator} as its one member and each of {@code invited} (and the creator) invited.
     */
    long create(String creator, Collection<String> invited) throws StoreException;

    /** Makes {@code user} a member of conversation {@code conversationId}; joining twice is harmless. */
    void join(long conversationId, String user) throws StoreException;

    /**
     * Takes {@code user} out of conversation {@code conversationId}. When nobody is left, the
     * conversation ends: it, its invitations and its log are deleted (its id is not given again).
     *
     * @return true if the conversation ended
     */
    boolean leave(long conversationId, String user) throws StoreException;

    /** True if {@code user} was invited to conversation {@code conversationId}. */
    boolean isInvited(long conversationId, String user) throws StoreException;

    /** Every conversation's members in the order they joined, by id in ascending order. */
    Map<Long, List<String>> conversations() throws StoreException;

    /**
     * Appends {@code text} from {@code sender} to conversation {@code conversationId} under the
     * next sequence number and the store's clock. A {@code clientMessageId} other than 0 that this
     * sender already used in this conversation (and whose message is still kept) stores nothing: the
     * stage completes with the stored message, marked {@linkplain Appended#duplicate() duplicate}.
     * Fails with {@link StoreException} if the conversation does not exist or the store cannot
     * write; then nothing of it was stored.
     */
    CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String text);

    /**
     * A page of conversation {@code conversationId}'s log in ascending sequence order, at most
     * {@code limit} messages (and at most {@link StoreOptions#maxPageSize()}): from {@code from}
     * upwards when {@code direction} is {@link Direction#NEWER}, the newest at or below {@code from}
     * when it is {@link Direction#OLDER}. The page also says which numbers are kept.
     */
    HistoryPage history(long conversationId, long from, Direction direction, int limit) throws StoreException;

    /** Waits for writes under way, then releases files and threads. Idempotent. */
    @Override
    void close();

    /** Which way {@link #history} reads from its starting number. */
    enum Direction {
        OLDER, NEWER
    }
}
