package dev.parley.chaos.cli;

import dev.parley.server.cli.ParleyCommand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code parley compare} is found by the parley command and prints one row per transport. */
class CompareCommandTest {

    @Test
    void printsARowPerTransportWithTheVerdictAndSaysPacketFaultsDoNotApplyToTcp() {
        var out = new StringWriter();
        var err = new StringWriter();

        int code = ParleyCommand.commandLine(new ByteArrayInputStream(new byte[0]))
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("compare", "--clients", "2", "--messages", "5", "--latency", "5", "--jitter", "2",
                        "--loss", "10%", "--seed", "7");

        assertThat(err.toString()).isEmpty();
        assertThat(code).isZero();
        assertThat(out.toString().lines())
                .anySatisfy(line -> assertThat(line).startsWith("2 users, 5 messages each, latency 5 ms ± 2, loss 10.0%")
                        .endsWith("seed 7"))
                .anySatisfy(line -> assertThat(line).startsWith("tcp").contains("20/20").contains("n/a (kernel)")
                        .contains("valid: 20/20 deliveries"))
                .anySatisfy(line -> assertThat(line).startsWith("udp"))
                .anySatisfy(line -> assertThat(line).contains("n/a over TCP: a terminating proxy hides packet faults"));
    }

    @Test
    void refusesAProbabilityOutsideZeroToOne() {
        var err = new StringWriter();

        int code = ParleyCommand.commandLine(new ByteArrayInputStream(new byte[0]))
                .setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(err, true))
                .execute("compare", "--loss", "150%");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("'150%' is not between 0 and 1");
    }
}
