package dev.parley.examples.shutdown;

import dev.parley.examples.cli.ExampleTask;
import dev.parley.server.cli.Addresses;
import dev.parley.examples.cli.ListenAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parley example shutdown-server}: accepts clients until Ctrl-C, then tells every one it is
 * going down and closes. Ctrl-C only wakes this command's thread, which does the telling.
 */
@Command(name = "shutdown-server", mixinStandardHelpOptions = true,
        description = "Accept clients until Ctrl-C, then tell every one the server is going down, and close.")
public final class ShutdownServerCommand extends ExampleTask {

    @Mixin
    private ListenAddress listen;

    @Option(names = "--reason", defaultValue = "stopped by the operator",
            description = "what clients are told (default: ${DEFAULT-VALUE})")
    private String reason;

    @Override
    protected void run() throws Exception {
        var connected = ShutdownServer.endpoint(client -> {
            out().println("client connected from " + Addresses.format(client.remoteAddress()));
            out().flush();
        });
        serveUntilStopped(listen, connected, "shutdown server", server ->
                out().println("told " + ShutdownServer.shutDown(server, reason) + " clients: " + reason));
    }
}
