package dev.parley.examples.datagrams;

import dev.parley.examples.ExampleRun;
import dev.parley.examples.OverEachTransport;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class DatagramsExampleTest {

    private static final int COUNT = 200;

    @Test
    void rawUdpLosesWhatTheSeededNetworkDropsAndNothingSaysWhich() throws Exception {
        Tally tally = RawUdp.send(COUNT, 0.2, 42);

        assertThat(tally.lost()).isPositive();
        assertThat(tally.received()).doesNotHaveDuplicates().allMatch(seq -> seq >= 0 && seq < COUNT);
        assertThat(RawUdp.send(COUNT, 0.2, 42)).as("the same seed loses the same datagrams").isEqualTo(tally);
    }

    @OverEachTransport
    void parleyDeliversEveryMessageInOrder(String transport) throws Exception {
        Tally tally = ReliableDelivery.send(Transport.byName(transport), COUNT);

        assertThat(tally.received()).containsExactlyElementsOf(IntStream.range(0, COUNT).boxed().toList());
    }

    @OverEachTransport
    void commandPrintsOneLineForEach(String transport) throws Exception {
        var run = ExampleRun.run("", "datagrams", "--count", "100", "--loss", "0.2", "--seed", "42", "--transport", transport);

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).hasSize(2);
        assertThat(run.outLines().get(0)).matches("raw UDP, seed 42: \\d+/100 received \\(\\d+ lost\\) in order");
        assertThat(run.outLines().get(1)).isEqualTo("Parley reliable " + transport.toUpperCase() + ": 100/100 received in order");
    }

    @Test
    void refusesALossOfOneOrMore() throws Exception {
        var run = ExampleRun.run("", "datagrams", "--loss", "1.5");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("--loss must be at least 0 and less than 1, was 1.5");
    }
}
