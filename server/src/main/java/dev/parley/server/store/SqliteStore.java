package dev.parley.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ChatStore} in an SQLite database, {@value #FILE_NAME} in a data directory, in WAL mode
 * with {@code synchronous=FULL}: what a write's stage or return reports as done survives the
 * process being killed and the machine losing power.
 *
 * <p><b>Group commit.</b> Every write goes to one writer thread through a queue. The writer takes
 * what has gathered there (at most {@link StoreOptions#maxBatchSize()} writes) and runs it as one
 * transaction, so writes arriving together share one commit, and one fsync; each is completed only
 * after that commit. A write refused on its own merits (an unknown conversation) writes nothing and
 * fails alone; a failure to write (a full disk) rolls the whole transaction back and fails every
 * write in it, leaving nothing half-written, and the writer carries on with the next.
 *
 * <p><b>Threads.</b> Stages of appends complete on the writer thread ({@code parley-store-writer}),
 * in the order the writes were queued. Reads run on the calling thread over a second connection
 * (WAL lets it read while the writer writes), one reader at a time. {@link #close()} lets the
 * writes queued so far finish, then closes the database.
 */
public final class SqliteStore implements ChatStore {

    /** The database's file name in the data directory (with {@code -wal} and {@code -shm} beside it). */
    public static final String FILE_NAME = "parley.db";

    private static final String[] SCHEMA = {
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS conversations (id INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS members (conversation INTEGER NOT NULL, user TEXT NOT NULL,"
                    + " UNIQUE (conversation, user))",
            "CREATE TABLE IF NOT EXISTS invitations (conversation INTEGER NOT NULL, user TEXT NOT NULL,"
                    + " PRIMARY KEY (conversation, user)) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS messages (conversation INTEGER NOT NULL, seq INTEGER NOT NULL,"
                    + " ts INTEGER NOT NULL, sender TEXT NOT NULL, client_id INTEGER NOT NULL, text TEXT NOT NULL,"
                    + " PRIMARY KEY (conversation, seq)) WITHOUT ROWID",
            "CREATE UNIQUE INDEX IF NOT EXISTS messages_by_client_id ON messages (conversation, sender, client_id)"
                    + " WHERE client_id <> 0",
            "INSERT OR IGNORE INTO counters (name, value) VALUES ('conversation', 0)"};

    /**
     * A message by its sender's client message id, which is never 0 here. The query says so, or
     * SQLite could not use the partial index and would read every message of the conversation.
     */
    static final String FIND_RESEND = "SELECT seq, ts FROM messages"
            + " WHERE conversation = ? AND sender = ? AND client_id = ? AND client_id <> 0";

    /** A write for the writer thread. */
    private record Write<T>(Body<T> body, CompletableFuture<T> result) {
    }

    @FunctionalInterface
    private interface Body<T> {
        T run() throws SQLException, StoreException;
    }

    private final Path file;
    private final StoreOptions options;
    private final InstantSource clock;
    /** Used by the writer thread alone. */
    private final Connection writer;
    private final Connection reader;
    private final ReentrantLock readLock = new ReentrantLock();
    /** Prepared statements by their SQL: the writer's on the writer thread, the reader's under {@link #readLock}. */
    private final Map<String, PreparedStatement> writerStatements = new HashMap<>();
    private final Map<String, PreparedStatement> readerStatements = new HashMap<>();
    private final AtomicLong commits = new AtomicLong();
    /** Package-private so that a test can make writes gather (holding its batch lock). */
    final BatchWriter<Write<?>> batches;

    private SqliteStore(Path file, StoreOptions options, InstantSource clock, Connection writer, Connection reader) {
        this.file = file;
        this.options = options;
        this.clock = clock;
        this.writer = writer;
        this.reader = reader;
        this.batches = new BatchWriter<>("parley-store-writer", options.maxBatchSize(), this::runBatch,
                () -> closeQuietly(writer));
    }

    /**
     * Opens the store in {@code directory}, creating the directory and the database if need be.
     *
     * @throws StoreException saying so if the directory cannot be created or written, or the
     *                        database cannot be opened
     */
    public static SqliteStore open(Path directory, StoreOptions options, InstantSource clock) throws StoreException {
        requireWritable(directory);
        Path file = directory.resolve(FILE_NAME);
        Connection writer = null;
        try {
            writer = connect(file);
            try (Statement statement = writer.createStatement()) {
                for (String sql : SCHEMA) {
                    statement.execute(sql);
                }
            }
            writer.setAutoCommit(false);
            Connection reader = connect(file);
            reader.setAutoCommit(false);
            return new SqliteStore(file, options, clock, writer, reader);
        } catch (SQLException e) {
            closeQuietly(writer);
            throw new StoreException("cannot open the database " + file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #open(Path, StoreOptions, InstantSource)} with the system clock. */
    public static SqliteStore open(Path directory, StoreOptions options) throws StoreException {
        return open(directory, options, InstantSource.system());
    }

    /** Transactions committed since this store was opened: each is one fsync of the log. */
    public long commits() {
        return commits.get();
    }

    private static void requireWritable(Path directory) throws StoreException {
        try {
            Files.createDirectories(directory);
            Files.delete(Files.createTempFile(directory, ".parley-probe", null));
        } catch (IOException | SecurityException e) {
            throw new StoreException("data directory " + directory + " is not writable: " + e, e);
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA synchronous=FULL");
            statement.execute("PRAGMA busy_timeout=10000");
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
        return connection;
    }

    @Override
    public long create(String creator, Collection<String> invited) throws StoreException {
        return await(submit(() -> {
            update("UPDATE counters SET value = value + 1 WHERE name = 'conversation'");
            long id;
            try (ResultSet row = statement(writer, "SELECT value FROM counters WHERE name = 'conversation'")
                    .executeQuery()) {
                row.next();
                id = row.getLong(1);
            }
            update("INSERT INTO conversations (id, last_seq) VALUES (?, 0)", id);
            update("INSERT INTO members (conversation, user) VALUES (?, ?)", id, creator);
            var everyone = new LinkedHashSet<String>();
            everyone.add(creator);
            everyone.addAll(invited);
            for (String user : everyone) {
                update("INSERT OR IGNORE INTO invitations (conversation, user) VALUES (?, ?)", id, user);
            }
            return id;
        }));
    }

    @Override
    public void join(long conversationId, String user) throws StoreException {
        await(submit(() -> {
            lastSequence(writer, conversationId);
            update("INSERT OR IGNORE INTO members (conversation, user) VALUES (?, ?)", conversationId, user);
            return null;
        }));
    }

    @Override
    public boolean leave(long conversationId, String user) throws StoreException {
        return await(submit(() -> {
            lastSequence(writer, conversationId);
            update("DELETE FROM members WHERE conversation = ? AND user = ?", conversationId, user);
            PreparedStatement count = statement(writer, "SELECT 1 FROM members WHERE conversation = ? LIMIT 1");
            count.setLong(1, conversationId);
            try (ResultSet row = count.executeQuery()) {
                if (row.next()) {
                    return false;
                }
            }
            for (String table : List.of("members", "invitations", "messages")) {
                update("DELETE FROM " + table + " WHERE conversation = ?", conversationId);
            }
            update("DELETE FROM conversations WHERE id = ?", conversationId);
            return true;
        }));
    }

    @Override
    public boolean isInvited(long conversationId, String user) throws StoreException {
        return read(() -> {
            lastSequence(reader, conversationId);
            PreparedStatement select = statement(reader,
                    "SELECT 1 FROM invitations WHERE conversation = ? AND user = ?");
            select.setLong(1, conversationId);
            select.setString(2, user);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        });
    }

    @Override
    public Map<Long, List<String>> conversations() throws StoreException {
        return read(() -> {
            Map<Long, List<String>> all = new LinkedHashMap<>();
            try (ResultSet rows = statement(reader, "SELECT id FROM conversations ORDER BY id").executeQuery()) {
                while (rows.next()) {
                    all.put(rows.getLong(1), new ArrayList<>());
                }
            }
            try (ResultSet rows = statement(reader, "SELECT conversation, user FROM members ORDER BY rowid")
                    .executeQuery()) {
                while (rows.next()) {
                    List<String> members = all.get(rows.getLong(1));
                    if (members != null) {
                        members.add(rows.getString(2));
                    }
                }
            }
            all.replaceAll((id, members) -> List.copyOf(members));
            return all;
        });
    }

    @Override
    public CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String text) {
        return submit(() -> {
            long last = lastSequence(writer, conversationId);
            if (clientMessageId != 0) {
                PreparedStatement select = statement(writer, FIND_RESEND);
                select.setLong(1, conversationId);
                select.setString(2, sender);
                select.setLong(3, clientMessageId);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        return new Appended(new StoredMessage(conversationId, row.getLong(1), row.getLong(2),
                                sender, clientMessageId, text), true);
                    }
                }
            }
            var message = new StoredMessage(conversationId, last + 1, clock.millis(), sender, clientMessageId, text);
            update("INSERT INTO messages (conversation, seq, ts, sender, client_id, text) VALUES (?, ?, ?, ?, ?, ?)",
                    conversationId, message.sequence(), message.timestampMillis(), sender, clientMessageId, text);
            update("UPDATE conversations SET last_seq = ? WHERE id = ?", message.sequence(), conversationId);
            long trimmed = message.sequence() - options.retainedMessages();
            if (trimmed > 0) {
                update("DELETE FROM messages WHERE conversation = ? AND seq <= ?", conversationId, trimmed);
            }
            return new Appended(message, false);
        });
    }

    @Override
    public HistoryPage history(long conversationId, long from, Direction direction, int limit) throws StoreException {
        int size = Math.clamp(limit, 0, options.maxPageSize());
        return read(() -> {
            long last = lastSequence(reader, conversationId);
            long first = last + 1;
            PreparedStatement oldest = statement(reader, "SELECT MIN(seq) FROM messages WHERE conversation = ?");
            oldest.setLong(1, conversationId);
            try (ResultSet row = oldest.executeQuery()) {
                if (row.next() && row.getObject(1) != null) {
                    first = row.getLong(1);
                }
            }
            String sql = direction == Direction.NEWER
                    ? "SELECT seq, ts, sender, client_id, text FROM messages WHERE conversation = ? AND seq >= ?"
                    + " ORDER BY seq LIMIT ?"
                    : "SELECT seq, ts, sender, client_id, text FROM messages WHERE conversation = ? AND seq <= ?"
                    + " ORDER BY seq DESC LIMIT ?";
            List<StoredMessage> page = new ArrayList<>();
            PreparedStatement select = statement(reader, sql);
            select.setLong(1, conversationId);
            select.setLong(2, from);
            select.setInt(3, size);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    page.add(new StoredMessage(conversationId, rows.getLong(1), rows.getLong(2), rows.getString(3),
                            rows.getLong(4), rows.getString(5)));
                }
            }
            return new HistoryPage(direction == Direction.NEWER ? page : page.reversed(), first, last);
        });
    }

    @Override
    public void close() {
        batches.close();
        readLock.lock();
        try {
            closeQuietly(reader);
        } finally {
            readLock.unlock();
        }
    }

    private <T> CompletableFuture<T> submit(Body<T> body) {
        var write = new Write<>(body, new CompletableFuture<>());
        if (!batches.offer(write)) {
            return CompletableFuture.failedFuture(new StoreException("store " + file + " is closed"));
        }
        return write.result();
    }

    private static <T> T await(CompletableFuture<T> result) throws StoreException {
        return BatchWriter.await(result);
    }

    private <T> T read(Body<T> body) throws StoreException {
        readLock.lock();
        try {
            try {
                return body.run();
            } finally {
                reader.commit();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        } finally {
            readLock.unlock();
        }
    }

    /** On the writer thread: runs {@code batch} in one transaction and completes each write once it is committed. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runBatch(List<Write<?>> batch) {
        Object[] values = new Object[batch.size()];
        StoreException[] refusals = new StoreException[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                try {
                    values[i] = batch.get(i).body().run();
                } catch (StoreException refused) {
                    refusals[i] = refused;
                }
            }
            writer.commit();
            commits.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            try {
                rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            var failure = new StoreException("cannot write to " + file + ": " + e.getMessage(), e);
            batch.forEach(write -> write.result().completeExceptionally(failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture result = batch.get(i).result();
            if (refusals[i] != null) {
                result.completeExceptionally(refusals[i]);
            } else {
                result.complete(values[i]);
            }
        }
    }

    /**
     * Undoes the batch and begins the next transaction. A full disk or an I/O error makes SQLite roll
     * the transaction back by itself; the driver's rollback then fails on "no transaction is active"
     * before beginning the next one, which would leave every later batch outside a transaction (each
     * statement committed alone) and unable to commit. Begins it here instead.
     */
    private void rollback() throws SQLException {
        try {
            writer.rollback();
        } catch (SQLException alreadyRolledBack) {
            try (Statement begin = writer.createStatement()) {
                begin.execute("BEGIN");
            }
        }
    }

    /** The conversation's last sequence number; refuses an unknown conversation. */
    private long lastSequence(Connection connection, long conversationId) throws SQLException, StoreException {
        PreparedStatement select = statement(connection, "SELECT last_seq FROM conversations WHERE id = ?");
        select.setLong(1, conversationId);
        try (ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                throw new StoreException("unknown conversation " + conversationId);
            }
            return row.getLong(1);
        }
    }

    /**
     * {@code sql} prepared on {@code connection}, once: the writer's statements are used by the
     * writer thread alone, the reader's under the read lock, and each stays open until its
     * connection closes. Preparing is most of a small statement's cost.
     */
    private PreparedStatement statement(Connection connection, String sql) throws SQLException {
        Map<String, PreparedStatement> prepared = connection == writer ? writerStatements : readerStatements;
        PreparedStatement statement = prepared.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            prepared.put(sql, statement);
        }
        return statement;
    }

    /** On the writer thread: runs {@code sql} with {@code parameters}. */
    private void update(String sql, Object... parameters) throws SQLException {
        PreparedStatement update = statement(writer, sql);
        for (int i = 0; i < parameters.length; i++) {
            update.setObject(i + 1, parameters[i]);
        }
        update.executeUpdate();
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing: nothing more to do with it.
        }
    }
}
