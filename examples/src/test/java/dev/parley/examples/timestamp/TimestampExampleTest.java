package dev.parley.examples.timestamp;

import dev.parley.Server;
import dev.parley.examples.ExampleRun;
import dev.parley.examples.OverEachTransport;
import dev.parley.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class TimestampExampleTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T08:30:15.250Z"), ZoneOffset.UTC);

    @OverEachTransport
    void stampsEachLineUntilAnEmptyLineEndsTheClient(String transport) throws Exception {
        try (Server server = TimestampServer.endpoint(CLOCK)
                .listen(Transport.byName(transport), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            var client = ExampleRun.run("hello\nworld\n\nnever sent\n",
                    "timestamp-client", "--server", "localhost:" + port, "--transport", transport);

            assertThat(client.exitCode()).isZero();
            assertThat(client.outLines()).containsExactly("[2026-11-21T08:30:15Z] hello", "[2026-11-21T08:30:15Z] world");
        }
    }

    @OverEachTransport
    void runsAsACommandOnTheSystemClock(String transport) throws Exception {
        try (var server = ExampleRun.start("", "timestamp-server", "--transport", transport, "--port", "0")) {
            var client = ExampleRun.run("hi\n", "timestamp-client", "--server", server.awaitServer(), "--transport", transport);

            assertThat(client.outLines()).singleElement().asString().matches("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ] hi");
        }
    }
}
