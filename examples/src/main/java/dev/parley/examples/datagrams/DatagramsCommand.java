package dev.parley.examples.datagrams;

import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.Transports;
import dev.parley.transport.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;

/** {@code parley example datagrams}: the same messages over raw UDP with a seeded loss, then over a Parley transport. */
@Command(name = "datagrams", mixinStandardHelpOptions = true,
        description = "Send the same messages over raw UDP, losing some, and over Parley's reliable UDP, losing none.")
public final class DatagramsCommand extends ExampleTask {

    @Option(names = {"-n", "--count"}, defaultValue = "100", description = "messages to send (default: ${DEFAULT-VALUE})")
    private int count;

    @Option(names = "--loss", defaultValue = "0.2",
            description = "share of raw datagrams the simulated network loses, 0 to 1 (default: ${DEFAULT-VALUE})")
    private double loss;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the simulated loss (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = {"-t", "--transport"}, defaultValue = "udp",
            description = "the Parley transport of the reliable half, udp or tcp (default: ${DEFAULT-VALUE})")
    private String transport;

    @Override
    protected void run() throws Exception {
        if (count < 1 || count > 10_000) {
            throw ExampleException.usage("--count must be 1 to 10000, was " + count);
        }
        if (!(loss >= 0 && loss < 1)) {
            throw ExampleException.usage("--loss must be at least 0 and less than 1, was " + loss);
        }
        Transport reliable = Transports.find(transport);
        out().println(RawUdp.send(count, loss, seed).summary("raw UDP, seed " + seed));
        out().flush();
        String how = "Parley reliable " + reliable.name().toUpperCase(Locale.ROOT);
        out().println(ReliableDelivery.send(reliable, count).summary(how));
    }
}
