package dev.parley.examples.shutdown;

import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ServerAddress;
import dev.parley.transport.ConnectionClosedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.ExecutionException;

/** {@code parley example shutdown-client}: connects and waits, as long as it takes, for the server to go down. */
@Command(name = "shutdown-client", mixinStandardHelpOptions = true,
        description = "Connect to a shutdown server and wait for it to say it is going down.")
public final class ShutdownClientCommand extends ExampleTask {

    @Mixin
    private ServerAddress server;

    @Override
    protected void run() throws Exception {
        try (ShutdownClient client = server.connect(ShutdownClient::connect)) {
            out().println("connected to " + server.describe() + "; waiting for the server to go down");
            out().flush();
            ShuttingDown notice;
            try {
                notice = client.notice().get();
            } catch (ExecutionException e) {
                throw ExampleException.failed("the server went away without a word: " + e.getCause().getMessage());
            }
            out().println("the server is going down: " + notice.reason());
            ConnectionClosedException cause = client.closed().get();
            out().println(cause.isGraceful()
                    ? "connection closed gracefully (" + cause.reason() + ")"
                    : "connection cut short: " + cause.getMessage());
        }
    }
}
