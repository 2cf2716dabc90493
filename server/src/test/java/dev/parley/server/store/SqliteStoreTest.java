package dev.parley.server.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The conformance suite over {@link SqliteStore}, and what is its own: group commit, its files. */
class SqliteStoreTest extends PersistentStoreConformanceTest {

    @Override
    protected ChatStore open(Path directory, StoreOptions options) throws StoreException {
        return SqliteStore.open(directory, options);
    }

    @Test
    void commitsAppendsThatArriveTogetherInOneTransaction() throws Exception {
        var store = (SqliteStore) open(OPTIONS);
        long conversation = store.create("alice", List.of());
        long commitsBefore = store.commits();
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        store.batches.batchLock.lock();
        try {
            for (int i = 1; i <= 100; i++) {
                appends.add(store.append(conversation, "alice", i, "m" + i).toCompletableFuture());
            }
            assertThat(appends).noneMatch(CompletableFuture::isDone);
        } finally {
            store.batches.batchLock.unlock();
        }
        appends.forEach(CompletableFuture::join);

        // The writer may have taken the first append before the lock stopped it; the rest share one commit.
        assertThat(store.commits() - commitsBefore).isBetween(1L, 2L);
        assertThat(readAll(store, conversation)).hasSize(100);
    }

    @Test
    void saysClearlyWhenTheDataDirectoryCannotBeWritten() throws Exception {
        Path file = Files.writeString(directory.resolve("a-file"), "not a directory");

        assertThatThrownBy(() -> SqliteStore.open(file.resolve("data"), OPTIONS))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("data directory " + file.resolve("data") + " is not writable");
    }

    @Test
    void looksUpAResendByItsIndexNotByReadingTheWholeConversation() throws Exception {
        open(OPTIONS).create("alice", List.of());

        // An append's resend check used to read every retained message of the conversation: 1 ms an append at 10,000.
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve(SqliteStore.FILE_NAME));
             PreparedStatement explain = connection.prepareStatement("EXPLAIN QUERY PLAN " + SqliteStore.FIND_RESEND)) {
            explain.setLong(1, 1);
            explain.setString(2, "alice");
            explain.setLong(3, 7);
            List<String> plan = new ArrayList<>();
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.add(rows.getString("detail"));
                }
            }
            assertThat(plan).containsExactly(
                    "SEARCH messages USING INDEX messages_by_client_id (conversation=? AND sender=? AND client_id=?)");
        }
    }

    @Test
    void keepsItsDatabaseInTheDataDirectory() throws Exception {
        open(OPTIONS).create("alice", List.of());

        assertThat(directory.resolve(SqliteStore.FILE_NAME)).isRegularFile();
    }
}
