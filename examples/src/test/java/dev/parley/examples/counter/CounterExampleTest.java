package dev.parley.examples.counter;

import dev.parley.examples.ExampleRun;
import dev.parley.examples.OverEachTransport;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class CounterExampleTest {

    private static final int CONNECTIONS = 50;

    @OverEachTransport
    void numbersEveryConnectionOnceWhenManyArriveAtOnce(String transport) throws Exception {
        try (var server = ExampleRun.start("", "counter-server", "--transport", transport, "--port", "0")) {
            var client = ExampleRun.run("", "counter-client", "--server", server.awaitServer(),
                    "--transport", transport, "--connections", "" + CONNECTIONS);

            assertThat(client.exitCode()).isZero();
            assertThat(client.outLines().subList(0, CONNECTIONS)).containsExactlyInAnyOrderElementsOf(
                    IntStream.rangeClosed(1, CONNECTIONS).mapToObj(n -> "processed connection number " + n).toList());
            assertThat(client.outLines().getLast())
                    .isEqualTo(CONNECTIONS + " connections, " + CONNECTIONS + " different numbers");
        }
    }
}
