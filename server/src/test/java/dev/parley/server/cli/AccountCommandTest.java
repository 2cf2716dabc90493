package dev.parley.server.cli;

import dev.parley.server.Accounts;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code parley account} keeping a real account file, and {@code parley chat} and {@code parley server}
 * using it, in-process, over TCP and UDP on loopback.
 */
class AccountCommandTest {

    private static final String FAST = "" + Accounts.MIN_ITERATIONS;

    @TempDir
    Path folder;

    @Test
    void addsAnAccountWithThePasswordOnStandardInputAndNeverShowsIt() throws IOException {
        Path file = folder.resolve("accounts.txt");

        var run = add(file, "alice", "correct horse\n");

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsExactly("added account alice in " + file);
        assertThat(run.err()).isEmpty();
        assertThat(Accounts.load(file).names()).containsExactly("alice");
        assertThat(Files.readString(file)).doesNotContain("correct horse").contains(" " + FAST + " ");
    }

    @Test
    void refusesAnExistingNameUnlessToldToReplaceIt() throws IOException {
        Path file = folder.resolve("accounts.txt");
        add(file, "alice", "one\n");
        String before = Files.readString(file);

        var refused = add(file, "ALICE", "two\n");
        var replaced = add(file, "alice", "two\n", "--replace");

        assertThat(refused.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(refused.errLines()).containsExactly(
                "parley account add: account ALICE exists; use --replace to change its password");
        assertThat(replaced.exitCode()).isZero();
        assertThat(replaced.outLines()).containsExactly("changed the password of alice in " + file);
        assertThat(Files.readString(file)).isNotEqualTo(before);
        assertThat(Accounts.load(file).names()).containsExactly("alice");
    }

    @Test
    void refusesAnInvalidNameALookAlikeAnEmptyPasswordAndTooFewIterations() {
        Path file = folder.resolve("accounts.txt");
        add(file, "alice", "pw\n");

        assertThat(add(file, "al/ice", "pw\n").errLines()).containsExactly(
                "parley account add: invalid username 'al/ice': use 1 to 32 letters, digits, '_', '.' or '-'");
        assertThat(add(file, "a1ice", "pw\n").errLines()).containsExactly(
                "parley account add: a1ice looks like the account alice; choose a name that cannot pass for it");
        assertThat(add(file, "bob", "").errLines()).containsExactly(
                "parley account add: no password: type it, or give it as one line on standard input");
        var fewIterations = CommandRun.run("pw\n", "account", "add", "bob", "--accounts", file.toString(),
                "--iterations", "10");
        assertThat(fewIterations.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(fewIterations.errLines()).containsExactly(
                "parley account add: iterations must be 1000 to 100000000, was 10");
    }

    @Test
    void listsAndRemovesAccounts() {
        Path file = folder.resolve("accounts.txt");
        add(file, "alice", "pw\n");
        add(file, "bob", "pw\n");

        var removed = CommandRun.run("", "account", "remove", "alice", "--accounts", file.toString());
        var unknown = CommandRun.run("", "account", "remove", "carol", "--accounts", file.toString());
        var listed = CommandRun.run("", "account", "list", "--accounts", file.toString());

        assertThat(removed.outLines()).containsExactly("removed account alice from " + file);
        assertThat(unknown.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(unknown.errLines()).containsExactly("parley account remove: no account carol in " + file);
        assertThat(listed.exitCode()).isZero();
        assertThat(listed.outLines()).containsExactly("bob");
    }

    @Test
    void namesTheFileAndLineOfACorruptAccountFile() throws IOException {
        Path file = folder.resolve("accounts.txt");
        Files.writeString(file, "# accounts\nalice PBKDF2WithHmacSHA256 1000\n");

        var listed = CommandRun.run("", "account", "list", "--accounts", file.toString());
        var served = CommandRun.run("", "server", "--store", "memory", "--host", "127.0.0.1", "--port", "0", "--accounts", file.toString());

        String problem = file + ":2: expected NAME ALGORITHM ITERATIONS SALT HASH, found 3 fields";
        assertThat(listed.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(listed.errLines()).containsExactly("parley account list: " + problem);
        assertThat(served.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(served.errLines()).containsExactly("parley server: " + problem);
    }

    @Test
    void saysHowToCreateAMissingAccountFile() {
        Path file = folder.resolve("missing.txt");

        var served = CommandRun.run("", "server", "--store", "memory", "--host", "127.0.0.1", "--port", "0", "--accounts", file.toString());
        var listed = CommandRun.run("", "account", "list", "--accounts", file.toString());

        assertThat(served.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(served.errLines()).containsExactly("parley server: no account file " + file
                + "; create it with 'parley account add NAME --accounts " + file + "'");
        assertThat(listed.errLines()).containsExactly("parley account list: no account file " + file);
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tcp", "udp"})
    void chatsWithThePasswordFromAFileAndIsRefusedWithAWrongOne(String transportName) throws IOException {
        Path accounts = folder.resolve("accounts.txt");
        add(accounts, "alice", "correct horse\n");
        Path right = Files.writeString(folder.resolve("right"), "correct horse\n");
        Path wrong = Files.writeString(folder.resolve("wrong"), "battery staple\n");
        var options = ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).failedLoginDelay(Duration.ZERO)
                .accounts(Accounts.load(accounts)).build();
        try (var server = ImServer.start(Transport.byName(transportName),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options)) {
            String address = Addresses.format(server.localAddress());

            var chatted = chat(transportName, address, "alice", "--password-file", right.toString());
            var refused = chat(transportName, address, "alice", "--password-file", wrong.toString());
            var unknown = chat(transportName, address, "mallory", "--password-file", right.toString());

            assertThat(chatted.exitCode()).isZero();
            assertThat(chatted.outLines()).startsWith("registered as alice");
            for (CommandRun run : List.of(refused, unknown)) {
                assertThat(run.exitCode()).isEqualTo(ParleyCommand.FAILED);
                assertThat(run.outLines()).containsExactly("error Register: wrong username or password");
            }
            assertThat(chatted.out() + chatted.err() + refused.out() + refused.err())
                    .doesNotContain("correct horse", "battery staple");
        }
    }

    @Test
    void refusesAPasswordFileItCannotReadInOneLine() {
        Path missing = folder.resolve("missing");

        var run = CommandRun.run("", "chat", "--user", "alice", "--transport", "memory", "--password-file",
                missing.toString());

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly(
                "parley chat: cannot read the password file " + missing + ": no such file");
    }

    private static CommandRun add(Path file, String name, String input, String... more) {
        var args = new ArrayList<>(List.of("account", "add", name, "--accounts", file.toString(), "--iterations", FAST));
        args.addAll(List.of(more));
        return CommandRun.run(input, args.toArray(String[]::new));
    }

    private static CommandRun chat(String transportName, String address, String user, String... more) {
        var args = new ArrayList<>(List.of("chat", "--user", user, "--transport", transportName, "--server", address));
        args.addAll(List.of(more));
        return CommandRun.run("/quit\n", args.toArray(String[]::new));
    }
}
