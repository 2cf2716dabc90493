package dev.parley.server.store;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small file system of its own (a tmpfs of a given size, mounted on a directory) that a test can
 * fill to the last block, so that a store meets a really full disk. Needs root and {@code mount};
 * without them the test is skipped, saying why, except under {@code CI=true}, where it fails.
 * Used by one test thread.
 */
public final class TinyDisk implements AutoCloseable {

    private static final long COMMAND_LIMIT_SECONDS = 30;

    private final Path root;
    private final long bytes;
    private Path filler;

    private TinyDisk(Path root, long bytes) {
        this.root = root;
        this.bytes = bytes;
    }

    /** Mounts a file system of {@code bytes} on {@code directory} (which must exist and be empty). */
    public static TinyDisk mount(Path directory, long bytes) throws IOException, InterruptedException {
        var outcome = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "parley-tiny-disk",
                directory.toString()));
        if (!outcome.isEmpty()) {
            String why = "cannot mount a small file system to fill (needs root and mount): " + outcome;
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("CI=true needs the full-disk test to run, but " + why);
            }
            Assumptions.abort(why);
        }
        return new TinyDisk(directory, bytes);
    }

    /** The mounted directory. */
    public Path root() {
        return root;
    }

    /** Takes every free block with one file, until the file system refuses more. */
    public void fill() throws IOException {
        filler = root.resolve("filler");
        byte[] block = new byte[4096];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            // Bounded: the file system holds at most its size.
            while (written <= bytes) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException full) {
            return; // no space left: what was wanted
        }
        throw new IllegalStateException("wrote " + written + " bytes to a file system of " + bytes + " without filling it");
    }

    /** Gives back the space {@link #fill} took. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    /** Unmounts the file system (lazily, should a file still be open on it). */
    @Override
    public void close() throws IOException, InterruptedException {
        String outcome = run(List.of("umount", "-l", root.toString()));
        if (!outcome.isEmpty()) {
            throw new IOException("cannot unmount " + root + ": " + outcome);
        }
    }

    /** Runs {@code command}: empty if it succeeded, else what it said. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        if (!process.waitFor(COMMAND_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + " took over " + COMMAND_LIMIT_SECONDS + " s";
        }
        String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return process.exitValue() == 0 ? "" : said.isEmpty() ? "exit " + process.exitValue() : said;
    }
}
