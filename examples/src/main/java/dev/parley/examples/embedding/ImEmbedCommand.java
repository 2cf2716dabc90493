package dev.parley.examples.embedding;

import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ServerAddress;
import dev.parley.im.ImProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** {@code parley example im-embed}: runs {@link ImEmbedExample} against an IM server ({@code parley server}). */
@Command(name = "im-embed", mixinStandardHelpOptions = true,
        description = "Join every IM conversation you are invited to and print its messages, from 30 lines of Java.")
public final class ImEmbedCommand extends ExampleTask {

    @Mixin
    private ServerAddress server = new ServerAddress(ImProtocol.DEFAULT_PORT);

    @Option(names = {"-u", "--user"}, required = true, description = "the username to register")
    private String user;

    @Override
    protected void run() throws Exception {
        try {
            ImEmbedExample.run(server.transport(), server.address(), user, line -> {
                out().println(line);
                out().flush();
            });
        } catch (IOException e) {
            throw server.unreachable(e);
        } catch (ExecutionException e) {
            throw ExampleException.failed("the server refused " + user + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw ExampleException.failed("no answer from the server at " + server.describe());
        }
    }
}
