package dev.parley.server;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The accounts an {@link ImServer} lets register: names with salted, slow password hashes, read
 * from and written to a text file. Immutable: {@link #with} and {@link #without} return a changed
 * copy, {@link #save} writes it. Thread-safe.
 *
 * <p>The file is UTF-8 text, one account a line; blank lines and lines starting with {@code #} are
 * ignored. An account line has five fields separated by spaces:
 *
 * <pre>
 * # NAME  ALGORITHM             ITERATIONS  SALT (Base64)             HASH (Base64)
 * alice   PBKDF2WithHmacSHA256  600000      q83vEjRWeJCrze8SNFZ4kA==  1kVzk6b0...8Q=
 * </pre>
 *
 * <ul>
 *   <li>NAME follows the server's username rules (1 to 32 ASCII letters, digits, {@code _},
 *       {@code .} or {@code -}) and is unique ignoring case; it matches a {@code Register} ignoring
 *       case, as online names do.</li>
 *   <li>ALGORITHM is {@value #ALGORITHM}, the only one known: PBKDF2 (RFC 8018) with HMAC-SHA-256,
 *       from the JDK.</li>
 *   <li>ITERATIONS is stored per account so that it can be raised for new passwords while old lines
 *       still verify; {@value #MIN_ITERATIONS} to {@value #MAX_ITERATIONS}. New passwords get
 *       {@value #DEFAULT_ITERATIONS} unless told otherwise (OWASP's 2023 figure for this algorithm).</li>
 *   <li>SALT is at least {@value #SALT_BYTES} random bytes (new ones come from {@link SecureRandom});
 *       HASH is the {@value #HASH_BYTES}-byte derived key.</li>
 * </ul>
 *
 * <p>{@link #load} refuses a file with any line it cannot read, naming the file and the line.
 * {@link #save} replaces the file atomically (a temporary file in the same folder, forced to disk,
 * renamed over it) and, where the file system is POSIX, readable and writable by the owner alone.
 */
public final class Accounts {

    /** The file {@code parley account} uses unless told otherwise, in the working directory. */
    public static final String DEFAULT_FILE_NAME = "parley-accounts.txt";
    /** The one hashing algorithm, by its JDK name; also its id in the file. */
    public static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    /** PBKDF2 iterations for new passwords: OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Fewest iterations accepted, in the file or for a new password; only tests should go near it. */
    public static final int MIN_ITERATIONS = 1_000;
    /** Most iterations accepted, so that a typo cannot make every login take minutes. */
    public static final int MAX_ITERATIONS = 100_000_000;
    /** Length of a new salt, and the shortest accepted. */
    public static final int SALT_BYTES = 16;
    /** Length of the derived key. */
    public static final int HASH_BYTES = 32;
    /** Longest password accepted, in characters. */
    public static final int MAX_PASSWORD_LENGTH = 1_024;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Rules USERNAME_RULES = new Rules(ServerOptions.defaults());
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Account(String name, int iterations, byte[] salt, byte[] hash) {
    }

    /** By {@link Rules#key}, in file order. */
    private final Map<String, Account> accounts;
    /** What an unknown name is checked against, so that it costs as much as a known one. */
    private final Account decoy;

    private Accounts(Map<String, Account> accounts) {
        this.accounts = accounts;
        int iterations = accounts.values().stream().mapToInt(Account::iterations).max().orElse(DEFAULT_ITERATIONS);
        this.decoy = new Account("", iterations, randomBytes(SALT_BYTES), randomBytes(HASH_BYTES));
    }

    /** No accounts at all: nobody can register until one is added. */
    public static Accounts none() {
        return new Accounts(Map.of());
    }

    /**
     * Reads the accounts in {@code file}.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException if it cannot be read, or a line is not an account: the message is one line
     *                     naming the file and the line number
     */
    public static Accounts load(Path file) throws IOException {
        Map<String, Account> accounts = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                Account account = parse(line);
                Account earlier = accounts.putIfAbsent(Rules.key(account.name()), account);
                if (earlier != null) {
                    throw new IllegalArgumentException("account " + account.name() + " is there twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        return new Accounts(accounts);
    }

    /**
     * A copy with account {@code name} set to {@code password}, hashed with {@code iterations}
     * PBKDF2 iterations and a new random salt; replaces an account of the same name (ignoring case).
     *
     * @throws IllegalArgumentException if the name breaks the username rules, the password is empty
     *                                  or too long, or the iterations are out of range
     */
    public Accounts with(String name, char[] password, int iterations) {
        try {
            USERNAME_RULES.checkUsername(name);
        } catch (Refusal refusal) {
            throw new IllegalArgumentException(refusal.getMessage());
        }
        if (password.length == 0 || password.length > MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("a password has 1 to " + MAX_PASSWORD_LENGTH + " characters");
        }
        checkIterations(iterations);
        byte[] salt = randomBytes(SALT_BYTES);
        var changed = new LinkedHashMap<>(accounts);
        changed.put(Rules.key(name), new Account(name, iterations, salt, hash(password, salt, iterations)));
        return new Accounts(changed);
    }

    /** A copy without account {@code name} (ignoring case); this one if there is none. */
    public Accounts without(String name) {
        if (!contains(name)) {
            return this;
        }
        var changed = new LinkedHashMap<>(accounts);
        changed.remove(Rules.key(name));
        return new Accounts(changed);
    }

    /** True if there is an account called {@code name}, ignoring case. */
    public boolean contains(String name) {
        return accounts.containsKey(Rules.key(name));
    }

    /** The name of an existing account {@code name} looks like (see {@link ServerOptions}), or null. */
    public String lookAlikeOf(String name) {
        String skeleton = Rules.lookAlike(name);
        return accounts.values().stream().map(Account::name)
                .filter(other -> Rules.lookAlike(other).equals(skeleton))
                .findFirst().orElse(null);
    }

    /** The account names, in file order. */
    public List<String> names() {
        return accounts.values().stream().map(Account::name).toList();
    }

    public int size() {
        return accounts.size();
    }

    /**
     * Writes these accounts to {@code file}, replacing it atomically, owner-only where POSIX.
     *
     * @throws IOException if the folder cannot be written; the old file is then left as it was
     */
    public void save(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        String prefix = "." + target.getFileName();
        Path temporary = posix
                ? Files.createTempFile(folder, prefix, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(folder, prefix, ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        if (posix) {
            // The rename is durable only once the folder's entry is on disk too.
            try (FileChannel folderChannel = FileChannel.open(folder, StandardOpenOption.READ)) {
                folderChannel.force(true);
            }
        }
    }

    /** How many accounts there are; never the hashes. */
    @Override
    public String toString() {
        return "Accounts[" + accounts.size() + "]";
    }

    /**
     * True if {@code password} is the password of account {@code name}. Costs the same whether or
     * not the account exists, and compares in constant time. Slow by design (see
     * {@link #DEFAULT_ITERATIONS}): never call it on a thread that serves others.
     */
    boolean verify(String name, String password) {
        Account account = accounts.get(Rules.key(name));
        Account checked = account == null ? decoy : account;
        char[] characters = password.toCharArray();
        try {
            byte[] hash = hash(characters, checked.salt(), checked.iterations());
            return MessageDigest.isEqual(hash, checked.hash()) && account != null;
        } finally {
            Arrays.fill(characters, '\0');
        }
    }

    private static Account parse(String line) {
        String[] fields = line.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("expected NAME ALGORITHM ITERATIONS SALT HASH, found "
                    + fields.length + " field" + (fields.length == 1 ? "" : "s"));
        }
        try {
            USERNAME_RULES.checkUsername(fields[0]);
        } catch (Refusal refusal) {
            throw new IllegalArgumentException(refusal.getMessage());
        }
        if (!fields[1].equals(ALGORITHM)) {
            throw new IllegalArgumentException("unknown algorithm '" + Rules.echo(fields[1]) + "' (known: "
                    + ALGORITHM + ")");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(fields[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iterations '" + Rules.echo(fields[2]) + "' is not a number");
        }
        checkIterations(iterations);
        byte[] salt = base64(fields[3], "salt");
        if (salt.length < SALT_BYTES) {
            throw new IllegalArgumentException("salt of " + salt.length + " bytes (at least " + SALT_BYTES + ")");
        }
        byte[] hash = base64(fields[4], "hash");
        if (hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("hash of " + hash.length + " bytes (expected " + HASH_BYTES + ")");
        }
        return new Account(fields[0], iterations, salt, hash);
    }

    private static byte[] base64(String field, String what) {
        try {
            return Base64.getDecoder().decode(field);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not Base64");
        }
    }

    private static void checkIterations(int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be " + MIN_ITERATIONS + " to " + MAX_ITERATIONS
                    + ", was " + iterations);
        }
    }

    private String format() {
        var text = new StringBuilder("# Parley accounts: NAME ALGORITHM ITERATIONS SALT HASH (salt and hash in Base64)\n");
        for (Account account : accounts.values()) {
            text.append(account.name()).append(' ').append(ALGORITHM).append(' ').append(account.iterations())
                    .append(' ').append(Base64.getEncoder().encodeToString(account.salt()))
                    .append(' ').append(Base64.getEncoder().encodeToString(account.hash())).append('\n');
        }
        return text.toString();
    }

    private static byte[] hash(char[] password, byte[] salt, int iterations) {
        var spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * Byte.SIZE);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
