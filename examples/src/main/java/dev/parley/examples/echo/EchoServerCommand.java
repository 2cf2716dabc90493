package dev.parley.examples.echo;

import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ListenAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code parley example echo-server}: runs an {@link EchoServer} until Ctrl-C. */
@Command(name = "echo-server", mixinStandardHelpOptions = true, description = "Answer each line with the same line.")
public final class EchoServerCommand extends ExampleTask {

    @Mixin
    private ListenAddress listen;

    @Override
    protected void run() throws Exception {
        serveUntilStopped(listen, EchoServer.endpoint(), "echo server", server -> { });
    }
}
