package dev.parley.examples.timestamp;

import dev.parley.examples.LineClientCommand;
import picocli.CommandLine.Command;

/** {@code parley example timestamp-client}: like the echo client, but an empty line ends it, as in the lesson. */
@Command(name = "timestamp-client", mixinStandardHelpOptions = true,
        description = "Send each line to a timestamp server and print its answer; an empty line ends the client.")
public final class TimestampClientCommand extends LineClientCommand {

    @Override
    protected boolean ends(String line) {
        return line.isEmpty();
    }
}
