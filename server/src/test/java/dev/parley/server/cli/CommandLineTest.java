package dev.parley.server.cli;

import dev.parley.server.ImServer;
import dev.parley.server.RefusingPort;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code parley} command line's own behaviour: help, version, usage errors, and the server's start-up failures. */
class CommandLineTest {

    @Test
    void listsTheCommandsOnHelp() {
        var run = CommandRun.run("", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: parley", "server", "chat", "demo");
    }

    @Test
    void printsTheVersion() {
        var run = CommandRun.run("", "--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines().getFirst()).matches("parley \\d+\\.\\d+\\.\\d+.*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"server", "chat", "demo", "account"})
    void printsTheVersionAfterEachCommandToo(String command) {
        var run = CommandRun.run("", command, "--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines().getFirst()).matches("parley \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void suggestsTheCommandMeantByATypo() {
        var run = CommandRun.run("", "sever");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).singleElement().asString()
                .isEqualTo("parley: Unmatched argument at index 0: 'sever'; did you mean server? (see 'parley --help')");
    }

    @Test
    void writesACompletionScriptForBashAndZsh() {
        var run = CommandRun.run("", "generate-completion");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("complete -F", "parley", "server", "--resume-window");
    }

    @Test
    void refusesToServeOverTheMemoryTransportWhichNoOtherProcessCouldReach() {
        var run = CommandRun.run("", "server", "--store", "memory", "--transport", "memory", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly(
                "parley server: --transport memory reaches only this process, so no client could connect; use tcp or udp");
    }

    @Test
    void answersAnUnknownOptionWithOneLineAndExitCodeTwo() {
        var run = CommandRun.run("", "chat", "--user", "alice", "--colour");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).singleElement().asString()
                .isEqualTo("parley chat: Unknown option: '--colour' (see 'parley chat --help')");
    }

    @Test
    void asksForACommandWhenGivenNone() {
        var run = CommandRun.run("");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines().getFirst()).isEqualTo("parley: which command? server, chat, demo, account");
    }

    @Test
    void refusesAKeepaliveNoShorterThanTheIdleTimeoutInOneLine() {
        var run = CommandRun.run("", "server", "--store", "memory", "--host", "127.0.0.1", "--port", "0",
                "--idle-timeout", "1s", "--keepalive", "1s");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly("parley server: --idle-timeout 1000 ms, --keepalive 1000 ms: "
                + "keepAliveInterval (PT1S) must be shorter than idleTimeout (PT1S) (0 turns either off)");
    }

    @Test
    void refusesAnIdleTimeoutOverAYearInOneLine() {
        var run = CommandRun.run("", "server", "--store", "memory", "--host", "127.0.0.1", "--port", "0",
                "--idle-timeout", "999999999h");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("parley server: --idle-timeout 3599999996400000 ms, --keepalive 15000 ms: idleTimeout must be at most 365 days");
    }

    @Test
    void refusesANegativeRateInOneLine() {
        var run = CommandRun.run("", "server", "--store", "memory", "--host", "127.0.0.1", "--port", "0", "--rate", "-1");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly("parley server: messagesPerSecond must not be negative, was -1");
    }

    @Test
    void saysInOneLineThatTheDataDirectoryCannotBeWrittenAndDoesNotStart(@TempDir Path directory) throws Exception {
        Path file = Files.writeString(directory.resolve("a-file"), "not a directory");
        Path data = file.resolve("data");

        var run = CommandRun.run("", "server", "--host", "127.0.0.1", "--port", "0", "--data", data.toString());

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("parley server: data directory " + data + " is not writable: ");
    }

    @Test
    void refusesAnUnknownStoreInOneLine() {
        var run = CommandRun.run("", "server", "--store", "paper", "--host", "127.0.0.1", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly("parley server: --store must be sqlite, memory or redis[s]://HOST[:PORT], was paper");
    }

    @Test
    void saysInOneLineThatRedisCannotBeReachedAndDoesNotStart() throws Exception {
        int nobody;
        CommandRun run;
        try (var refusing = new RefusingPort()) {
            nobody = refusing.port();
            run = CommandRun.run("", "server", "--store", "redis://:secret@127.0.0.1:" + nobody, "--host", "127.0.0.1",
                    "--port", "0");
        }

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("parley server: cannot reach Redis at redis://:***@127.0.0.1:" + nobody + ": ");
    }

    @Test
    void refusesATrustFileForAStoreWithoutTls() {
        var run = CommandRun.run("", "server", "--store", "redis://127.0.0.1:1", "--store-trust", "ca.pem",
                "--host", "127.0.0.1", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly(
                "parley server: --store-trust is for a rediss:// store, and the store is redis://127.0.0.1:1");
    }

    @Test
    void saysInOneLineThatTheMetricsPortIsTaken() throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String metrics = "127.0.0.1:" + taken.getLocalPort();

            var run = CommandRun.run("", "server", "--store", "memory", "--host", "127.0.0.1", "--port", "0",
                    "--metrics", metrics);

            assertThat(run.exitCode()).isEqualTo(ParleyCommand.FAILED);
            assertThat(run.errLines()).containsExactly("parley server: cannot serve metrics on " + metrics
                    + ": the port is already in use; choose another with --metrics HOST:PORT");
        }
    }

    @Test
    void refusesAMetricsAddressThatIsNotOne() {
        var run = CommandRun.run("", "server", "--store", "memory", "--metrics", "127.0.0.1:http");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.err()).contains("'http' is not a port (0 to 65535)");
    }

    @Test
    void refusesAMalformedRedisAddressInOneLine() {
        var run = CommandRun.run("", "server", "--store", "redis://h/x", "--host", "127.0.0.1", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(run.errLines()).containsExactly("parley server: the Redis database is a number, was x in redis://h/x");
    }

    @Test
    void saysInOneLineThatThePortIsTaken() throws Exception {
        var tcp = Transport.byName("tcp");
        try (var taken = ImServer.start(tcp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.defaults())) {
            int port = ((InetSocketAddress) taken.localAddress()).getPort();

            var run = CommandRun.run("", "server", "--store", "memory", "--host", "127.0.0.1", "--port", "" + port);

            assertThat(run.exitCode()).isEqualTo(ParleyCommand.FAILED);
            assertThat(run.errLines()).containsExactly(
                    "parley server: port " + port + " is already in use on 127.0.0.1; choose another with --port");
        }
    }

    @Test
    void readsDurationsAsPeopleWriteThem() {
        var converter = new DurationConverter();

        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("0")).isEqualTo(Duration.ZERO);
        assertThat(converter.convert("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> converter.convert("soon")).hasMessageContaining("'soon' is not a duration");
    }

    @Test
    void readsServerAddressesWithOrWithoutAPort() {
        var addresses = new Addresses();

        assertThat(addresses.convert("127.0.0.1:7000")).isEqualTo(new InetSocketAddress("127.0.0.1", 7000));
        assertThat(addresses.convert("127.0.0.1")).isEqualTo(new InetSocketAddress("127.0.0.1", 6666));
        assertThat(addresses.convert("[::1]:7000")).isEqualTo(new InetSocketAddress("::1", 7000));
        assertThat(Addresses.format(addresses.convert("[::1]:7000"))).isEqualTo("[0:0:0:0:0:0:0:1]:7000");
        assertThatThrownBy(() -> addresses.convert("localhost:http")).hasMessageContaining("is not a port");
        assertThatThrownBy(() -> addresses.convert(":7000")).hasMessageContaining("no host");
    }
}
