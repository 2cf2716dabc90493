package dev.parley.server.cli;

import dev.parley.server.Accounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Accounts as a user's shell sees them: {@code parley account add} with the password piped into a
 * separate JVM's standard input, {@code parley server --accounts} saying so at start-up, and
 * {@code parley chat} taking the password from {@value ChatCommand#PASSWORD_VARIABLE}, over TCP, with
 * the password never in the server's log, and a warning when the account file is not owner-only.
 */
class AccountsProcessTest {

    @TempDir
    Path folder;

    @RegisterExtension
    final ParleyProcesses processes = new ParleyProcesses();

    @Test
    @Timeout(120)
    void addsAnAccountFromAPipeThenServesItAndChatsWithThePasswordFromTheEnvironment() throws Exception {
        Path file = folder.resolve("accounts.txt");
        Process add = parley(Map.of(), null, "account", "add", "alice", "--accounts", file.toString(),
                "--iterations", "" + Accounts.MIN_ITERATIONS);
        add.getOutputStream().write("correct horse\n".getBytes(StandardCharsets.UTF_8));
        add.getOutputStream().close();
        assertThat(add.waitFor(60, TimeUnit.SECONDS)).as("account add exited").isTrue();
        assertThat(lines(add)).containsExactly("added account alice in " + file);
        assertThat(add.exitValue()).isZero();

        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Path serverLog = folder.resolve("server.log");
        Process server = parley(Map.of(), serverLog, "server", "--store", "memory", "--transport", "tcp", "--host", "127.0.0.1", "--port", "0",
                "--accounts", file.toString());
        String listening = reader(server.getInputStream()).readLine();
        assertThat(listening).startsWith("parley server listening on tcp 127.0.0.1:");

        Process chat = parley(Map.of(ChatCommand.PASSWORD_VARIABLE, "correct horse"), null, "chat", "--user", "alice",
                "--transport", "tcp", "--server", listening.substring(listening.lastIndexOf(' ') + 1));
        chat.getOutputStream().write("/quit\n".getBytes(StandardCharsets.UTF_8));
        chat.getOutputStream().close();
        assertThat(chat.waitFor(60, TimeUnit.SECONDS)).as("chat exited").isTrue();
        assertThat(lines(chat)).startsWith("registered as alice");
        assertThat(chat.exitValue()).isZero();

        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("server stopped").isTrue();
        List<String> serverErr = Files.readAllLines(serverLog);
        if (posix) {
            assertThat(serverErr).contains("parley server: warning: other users may read " + file
                    + "; make it owner-only (chmod 600)");
        }
        assertThat(serverErr)
                .contains("parley server: accounts on: 1 account from " + file + "; only they may register, each"
                        + " with its password, and traffic is not encrypted, so passwords cross the network as"
                        + " typed; see SECURITY.md")
                .anyMatch(line -> line.contains("alice registered from"))
                .noneMatch(line -> line.contains("correct horse"));
    }

    private Process parley(Map<String, String> environment, Path errorFile, String... args) throws IOException {
        return processes.start(environment, errorFile, args);
    }

    private static BufferedReader reader(InputStream stream) {
        return new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
    }

    private static List<String> lines(Process process) throws IOException {
        try (var reader = reader(process.getInputStream())) {
            return reader.lines().toList();
        }
    }
}
