package dev.parley.examples;

import dev.parley.examples.cli.ExampleException;
import dev.parley.server.RefusingPort;
import dev.parley.server.cli.ParleyCommand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** What every example command does with bad input: one clear line and a non-zero exit code, never a stack trace. */
class CommandLineTest {

    @Test
    void isAParleySubcommand() {
        var out = new StringWriter();
        int code = ParleyCommand.commandLine(new ByteArrayInputStream(new byte[0]))
                .setOut(new PrintWriter(out, true))
                .execute("example", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Usage: parley example", "echo-server", "address-book", "datagrams", "im-embed");
    }

    @Test
    void asksWhichExampleWhenGivenNone() throws Exception {
        var run = ExampleRun.run("");

        assertThat(run.exitCode()).isEqualTo(ExampleException.USAGE);
        assertThat(run.errLines()).singleElement().asString().startsWith("which example? echo-server, echo-client, ");
    }

    @Test
    void refusesAnUnknownExample() throws Exception {
        var run = ExampleRun.run("", "telnet");

        assertThat(run.exitCode()).isEqualTo(ExampleException.USAGE);
        assertThat(run.errLines().getFirst()).isEqualTo("Unmatched argument at index 0: 'telnet'");
        assertThat(run.err()).doesNotContain("Exception");
    }

    @Test
    void namesTheMissingArgument() throws Exception {
        var run = ExampleRun.run("", "address-book", "add", "alice");

        assertThat(run.exitCode()).isEqualTo(ExampleException.USAGE);
        assertThat(run.errLines().getFirst()).isEqualTo("Missing required parameter: 'EMAIL'");
        assertThat(run.err()).doesNotContain("Exception");
    }

    @Test
    void saysInOneLineThatNoServerIsRunning() throws Exception {
        ExampleRun.Result run;
        int port;
        try (var refusing = new RefusingPort()) {
            port = refusing.port();
            run = ExampleRun.run("hello\n", "echo-client", "--server", "127.0.0.1:" + port);
        }

        assertThat(run.exitCode()).isEqualTo(ExampleException.USAGE);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("cannot reach the server at 127.0.0.1:" + port + " over tcp: ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void saysInOneLineThatThePortIsTaken() throws Exception {
        try (var taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();

            var run = ExampleRun.run("", "echo-server", "--host", "127.0.0.1", "--port", "" + port);

            assertThat(run.exitCode()).isEqualTo(ExampleException.FAILED);
            assertThat(run.errLines())
                    .containsExactly("port " + port + " is already in use on 127.0.0.1; choose another with --port");
        }
    }

    @Test
    void namesTheTransportsThereAre() throws Exception {
        var run = ExampleRun.run("", "counter-client", "--transport", "carrier-pigeon");

        assertThat(run.exitCode()).isEqualTo(ExampleException.USAGE);
        assertThat(run.errLines()).singleElement().asString().startsWith("no transport named 'carrier-pigeon'; available: ");
    }

    @Test
    void refusesAServerAddressWhosePortIsNotANumber() throws Exception {
        var run = ExampleRun.run("", "echo-client", "--server", "localhost:seven");

        assertThat(run.exitCode()).isEqualTo(ExampleException.USAGE);
        assertThat(run.errLines().getFirst()).contains("'seven' is not a port");
    }
}
