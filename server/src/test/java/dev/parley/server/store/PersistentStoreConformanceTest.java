package dev.parley.server.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a {@link ChatStore} that keeps files must do on top of {@link ChatStoreConformanceTest}: keep everything across reopening. */
public abstract class PersistentStoreConformanceTest extends ChatStoreConformanceTest {

    @TempDir
    protected Path directory;

    /** Opens the store kept in {@code directory}, creating it if it is not there. */
    protected abstract ChatStore open(Path directory, StoreOptions options) throws Exception;

    @Override
    protected ChatStore newStore(StoreOptions options) throws Exception {
        return open(directory, options);
    }

    @Test
    void keepsConversationsMembersInvitationsAndMessagesWhenReopened() throws Exception {
        long conversation;
        try (ChatStore store = open(directory, OPTIONS)) {
            conversation = store.create("alice", List.of("bob", "carol"));
            store.join(conversation, "bob");
            append(store, conversation, "alice", 1, "one");
            append(store, conversation, "bob", 1, "two");
        }

        ChatStore reopened = closesAfterTest(open(directory, OPTIONS));

        assertThat(reopened.conversations()).containsExactly(Map.entry(conversation, List.of("alice", "bob")));
        assertThat(reopened.isInvited(conversation, "carol")).isTrue();
        assertThat(readAll(reopened, conversation)).extracting(StoredMessage::text).containsExactly("one", "two");
        assertThat(append(reopened, conversation, "carol", 1, "three").sequence()).isEqualTo(3);
        assertThat(reopened.append(conversation, "alice", 1, "one").toCompletableFuture().join().duplicate()).isTrue();
    }

    @Test
    void neverGivesAConversationIdAgainAfterReopening() throws Exception {
        long ended;
        try (ChatStore store = open(directory, OPTIONS)) {
            store.create("alice", List.of());
            ended = store.create("bob", List.of());
            store.leave(ended, "bob");
        }

        ChatStore reopened = closesAfterTest(open(directory, OPTIONS));

        assertThat(reopened.create("carol", List.of())).isGreaterThan(ended);
    }
}
