package dev.parley.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class AccountsTest {

    /** Few iterations so the tests run fast; the hashing is the same. */
    static final int FAST = Accounts.MIN_ITERATIONS;
    private static final String SALT = "AAAAAAAAAAAAAAAAAAAAAA==";
    private static final String HASH = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    @TempDir
    Path folder;

    @Test
    void savesAccountsThatVerifyTheirOwnPasswordOnlyAfterLoading() throws IOException {
        Path file = folder.resolve("accounts.txt");
        Accounts.none().with("alice", "correct horse".toCharArray(), FAST)
                .with("bob", "battery staple".toCharArray(), FAST).save(file);

        Accounts loaded = Accounts.load(file);

        assertThat(loaded.names()).containsExactly("alice", "bob");
        assertThat(loaded.verify("alice", "correct horse")).isTrue();
        assertThat(loaded.verify("ALICE", "correct horse")).as("names match ignoring case").isTrue();
        assertThat(loaded.verify("alice", "battery staple")).isFalse();
        assertThat(loaded.verify("alice", "")).isFalse();
        assertThat(loaded.verify("carol", "correct horse")).isFalse();
    }

    @Test
    void writesOneReadableLinePerAccountWithItsIterationsSaltAndHashButNeverThePassword() throws IOException {
        Path file = folder.resolve("accounts.txt");
        Accounts.none().with("alice", "correct horse".toCharArray(), 1234).save(file);

        String text = Files.readString(file);

        assertThat(text).doesNotContain("correct horse");
        assertThat(text.lines().filter(line -> !line.startsWith("#")))
                .singleElement().asString().matches("alice PBKDF2WithHmacSHA256 1234 [A-Za-z0-9+/=]{24} [A-Za-z0-9+/=]{44}");
    }

    @Test
    void saltsEveryPasswordAfresh() throws IOException {
        Path file = folder.resolve("accounts.txt");
        Accounts.none().with("alice", "same".toCharArray(), FAST).with("bob", "same".toCharArray(), FAST).save(file);

        var hashes = Files.readAllLines(file).stream().filter(line -> !line.startsWith("#"))
                .map(line -> line.split(" ")[4]).toList();

        assertThat(hashes).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void verifiesEachLineWithItsOwnIterationCountSoTheDefaultCanBeRaised() throws IOException {
        Path file = folder.resolve("accounts.txt");
        Accounts.none().with("alice", "old password".toCharArray(), FAST)
                .with("bob", "new password".toCharArray(), 2 * FAST).save(file);

        Accounts loaded = Accounts.load(file);

        assertThat(loaded.verify("alice", "old password")).isTrue();
        assertThat(loaded.verify("bob", "new password")).isTrue();
    }

    @Test
    void writesTheFileForItsOwnerAlone() throws IOException {
        assumeThat(folder.getFileSystem().supportedFileAttributeViews()).contains("posix");
        Path file = folder.resolve("accounts.txt");
        Files.writeString(file, "# readable by all at first\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        Accounts.none().with("alice", "pw".toCharArray(), FAST).save(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void replacesTheFileWholeByRenamingANewOneOverIt() throws IOException {
        assumeThat(folder.getFileSystem().supportedFileAttributeViews()).contains("posix");
        Path file = folder.resolve("accounts.txt");
        Accounts.none().with("alice", "pw".toCharArray(), FAST).save(file);
        String before = Files.readString(file);

        try (InputStream reader = Files.newInputStream(file)) {
            Accounts.load(file).with("bob", "pw".toCharArray(), FAST).save(file);

            assertThat(new String(reader.readAllBytes(), StandardCharsets.UTF_8))
                    .as("a reader of the old file still sees all of it, not a half-written new one")
                    .isEqualTo(before);
        }
        assertThat(Accounts.load(file).names()).containsExactly("alice", "bob");
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void replacesAndRemovesAccountsIgnoringCase() {
        Accounts accounts = Accounts.none().with("alice", "one".toCharArray(), FAST);

        Accounts replaced = accounts.with("Alice", "two".toCharArray(), FAST);

        assertThat(replaced.names()).containsExactly("Alice");
        assertThat(replaced.verify("alice", "two")).isTrue();
        assertThat(replaced.verify("alice", "one")).isFalse();
        assertThat(replaced.without("ALICE").size()).isZero();
        assertThat(replaced.lookAlikeOf("a1ice")).isEqualTo("Alice");
        assertThat(replaced.lookAlikeOf("bob")).isNull();
    }

    @Test
    void refusesBadNamesPasswordsAndIterationsForANewAccount() {
        Accounts accounts = Accounts.none();

        assertThatThrownBy(() -> accounts.with("two words", "pw".toCharArray(), FAST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid username 'two words'");
        assertThatThrownBy(() -> accounts.with("alice", new char[0], FAST))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a password has 1 to 1024 characters");
        assertThatThrownBy(() -> accounts.with("alice", "pw".toCharArray(), FAST - 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("iterations must be 1000 to 100000000, was 999");
    }

    @Test
    void readsCommentsAndBlankLinesAsNothing() throws IOException {
        Path file = folder.resolve("accounts.txt");
        Files.writeString(file, "# a comment\n\n   \nalice PBKDF2WithHmacSHA256 1000 " + SALT + " " + HASH + "\n");

        assertThat(Accounts.load(file).names()).containsExactly("alice");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            alice PBKDF2WithHmacSHA256 1000 SALT                                | expected NAME ALGORITHM ITERATIONS SALT HASH, found 4 fields
            al/ice PBKDF2WithHmacSHA256 1000 SALT HASH                          | invalid username 'al/ice': use 1 to 32 letters, digits, '_', '.' or '-'
            alice MD5 1000 SALT HASH                                            | unknown algorithm 'MD5' (known: PBKDF2WithHmacSHA256)
            alice PBKDF2WithHmacSHA256 many SALT HASH                           | iterations 'many' is not a number
            alice PBKDF2WithHmacSHA256 10 SALT HASH                             | iterations must be 1000 to 100000000, was 10
            alice PBKDF2WithHmacSHA256 1000 not*base64 HASH                     | salt is not Base64
            alice PBKDF2WithHmacSHA256 1000 AAAA HASH                           | salt of 3 bytes (at least 16)
            alice PBKDF2WithHmacSHA256 1000 SALT AAAA                           | hash of 3 bytes (expected 32)
            """)
    void refusesACorruptLineNamingTheFileAndTheLineNumber(String line, String reason) throws IOException {
        Path file = folder.resolve("accounts.txt");
        Files.writeString(file, "# header\nbob PBKDF2WithHmacSHA256 1000 " + SALT + " " + HASH + "\n"
                + line.replace("SALT", SALT).replace("HASH", HASH) + "\n");

        assertThatThrownBy(() -> Accounts.load(file))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ":3: " + reason);
    }

    @Test
    void refusesTheSameNameTwiceIgnoringCase() throws IOException {
        Path file = folder.resolve("accounts.txt");
        String rest = " PBKDF2WithHmacSHA256 1000 " + SALT + " " + HASH + "\n";
        Files.writeString(file, "alice" + rest + "ALICE" + rest);

        assertThatThrownBy(() -> Accounts.load(file)).hasMessage(file + ":2: account ALICE is there twice");
    }

    @Test
    void refusesAFileThatIsNotUtf8Text() throws IOException {
        Path file = Files.write(folder.resolve("accounts.txt"), new byte[] {'a', (byte) 0xff, '\n'});

        assertThatThrownBy(() -> Accounts.load(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": not UTF-8 text");
    }

    @Test
    void saysWhenThereIsNoFile() {
        assertThatThrownBy(() -> Accounts.load(folder.resolve("missing.txt"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void neverShowsHashesInItsText() {
        assertThat(Accounts.none().with("alice", "pw".toCharArray(), FAST)).hasToString("Accounts[1]");
    }
}
