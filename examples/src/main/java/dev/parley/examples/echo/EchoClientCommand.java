package dev.parley.examples.echo;

import dev.parley.examples.LineClientCommand;
import picocli.CommandLine.Command;

/** {@code parley example echo-client}: sends each line of standard input and prints the answer, until the input ends. */
@Command(name = "echo-client", mixinStandardHelpOptions = true,
        description = "Send each line typed (or piped) to an echo server and print its answer, until the input ends.")
public final class EchoClientCommand extends LineClientCommand {

    @Override
    protected boolean ends(String line) {
        return false;
    }
}
