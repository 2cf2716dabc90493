package dev.parley.examples.addressbook;

import dev.parley.codec.CodecException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The book's file, replaced whole on every change so that a crash at any moment leaves either the
 * old book or the new one, never half of each:
 *
 * <ol>
 *   <li>write the new book to a temporary file beside it, and {@code force} it to the disk;</li>
 *   <li>rename it over the old file in one atomic step;</li>
 *   <li>{@code force} the folder, so the rename itself survives a power cut.</li>
 * </ol>
 *
 * <p>Not thread-safe: {@link AddressBookService} saves under its lock.
 */
final class BookFile {

    private final Path path;
    private final Path temporary;

    BookFile(Path path) {
        this.path = path.toAbsolutePath();
        this.temporary = this.path.resolveSibling(this.path.getFileName() + ".tmp");
    }

    /**
     * The entries saved in the file; none if there is no file yet.
     *
     * @throws IOException if it cannot be read or is not an address book
     */
    Map<String, Entry> load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        try {
            if (AddressBookCodec.codec().decode(bytes) instanceof Book book) {
                return book.entries();
            }
        } catch (CodecException e) {
            throw new IOException(path + " is not an address book: " + e.getMessage(), e);
        }
        throw new IOException(path + " is not an address book");
    }

    /** Replaces the file with {@code entries}, durably, in the three steps above. */
    void save(Map<String, Entry> entries) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(AddressBookCodec.codec().encode(new Book(entries)));
        try (FileChannel file = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
            file.force(true);
        }
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel folder = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
            folder.force(true);
        }
    }

    Path path() {
        return path;
    }
}
