package dev.parley.examples.echo;

import dev.parley.examples.ExampleRun;
import dev.parley.examples.OverEachTransport;

import static org.assertj.core.api.Assertions.assertThat;

class EchoExampleTest {

    @OverEachTransport
    void answersEveryLineWithTheSameLine(String transport) throws Exception {
        try (var server = ExampleRun.start("", "echo-server", "--transport", transport, "--host", "127.0.0.1", "--port", "0")) {
            String address = server.awaitServer();

            var client = ExampleRun.run("hello\n\nsame line, twice\nsame line, twice\n",
                    "echo-client", "--server", address, "--transport", transport);

            assertThat(client.exitCode()).isZero();
            assertThat(client.outLines()).containsExactly("hello", "", "same line, twice", "same line, twice");
            assertThat(client.err()).isEmpty();
            assertThat(server.stop().exitCode()).isZero();
        }
    }
}
