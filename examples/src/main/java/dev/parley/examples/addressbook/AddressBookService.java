package dev.parley.examples.addressbook;

import dev.parley.Endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The address book the server serves, kept in memory and saved to its file after every change,
 * before the change is acknowledged: a client that saw {@code add} return knows its entry is on
 * disk. Changes happen one at a time under a lock (the file is rewritten whole, so two at once
 * would lose one); {@code find} reads the latest saved book without waiting.
 *
 * <p>Thread-safe: remote calls from many clients run concurrently, each on its own virtual thread.
 */
public final class AddressBookService implements AddressBook {

    /** The longest name, in characters. */
    public static final int MAX_NAME_LENGTH = 100;
    /** The longest e-mail address or phone number, in characters. */
    public static final int MAX_FIELD_LENGTH = 300;
    /** The most entries a book holds. */
    public static final int MAX_ENTRIES = 10_000;

    private final BookFile file;
    private final ReentrantLock changing = new ReentrantLock();
    /** The book as last saved; replaced, never changed, under {@link #changing}. */
    private volatile Map<String, Entry> entries;

    private AddressBookService(BookFile file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * Opens the book saved at {@code path}, or a new, empty one if there is no file yet.
     *
     * @throws IOException if the file cannot be read or is not an address book
     */
    public static AddressBookService open(Path path) throws IOException {
        var file = new BookFile(path);
        return new AddressBookService(file, file.load());
    }

    @Override
    public void add(String name, Entry entry) {
        checkName(name);
        checkEntry(name, entry);
        change(book -> {
            if (book.size() >= MAX_ENTRIES && !book.containsKey(name)) {
                throw new IllegalStateException("the book is full (" + MAX_ENTRIES + " entries)");
            }
            book.put(name, new Entry(entry.email(), entry.phone() == null ? "" : entry.phone()));
        });
    }

    @Override
    public void remove(String name) {
        checkName(name);
        change(book -> {
            if (book.remove(name) == null) {
                throw noEntry(name);
            }
        });
    }

    @Override
    public Entry find(String name) {
        checkName(name);
        Entry entry = entries.get(name);
        if (entry == null) {
            throw noEntry(name);
        }
        return entry;
    }

    /** An endpoint that serves this book to every client that connects. */
    public Endpoint endpoint() {
        return Endpoint.builder(AddressBookCodec.codec()).serve(AddressBook.class, this).build();
    }

    /** How many entries the book holds. */
    public int size() {
        return entries.size();
    }

    /** Where the book is saved. */
    public Path path() {
        return file.path();
    }

    private void change(Consumer<Map<String, Entry>> edit) {
        changing.lock();
        try {
            Map<String, Entry> next = new HashMap<>(entries);
            edit.accept(next);
            file.save(next);
            entries = Map.copyOf(next);
        } catch (IOException e) {
            throw new UncheckedIOException("the book could not be saved, so nothing changed: " + e.getMessage(), e);
        } finally {
            changing.unlock();
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a name must not be blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("a name may have at most " + MAX_NAME_LENGTH
                    + " characters, this one has " + name.length());
        }
    }

    private static void checkEntry(String name, Entry entry) {
        if (entry == null || entry.email() == null || entry.email().isBlank()) {
            throw new IllegalArgumentException("the entry for " + name + " needs an e-mail address");
        }
        int longest = Math.max(entry.email().length(), entry.phone() == null ? 0 : entry.phone().length());
        if (longest > MAX_FIELD_LENGTH) {
            throw new IllegalArgumentException("the entry for " + name + " is too long: " + longest
                    + " characters (at most " + MAX_FIELD_LENGTH + ")");
        }
    }

    private static NoSuchElementException noEntry(String name) {
        return new NoSuchElementException("no entry for " + name);
    }
}
