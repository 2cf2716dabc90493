package dev.parley.examples.timestamp;

import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ListenAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Clock;

/** {@code parley example timestamp-server}: runs a {@link TimestampServer} on the system clock until Ctrl-C. */
@Command(name = "timestamp-server", mixinStandardHelpOptions = true, description = "Answer each line with [timestamp] line.")
public final class TimestampServerCommand extends ExampleTask {

    @Mixin
    private ListenAddress listen;

    @Override
    protected void run() throws Exception {
        serveUntilStopped(listen, TimestampServer.endpoint(Clock.systemUTC()), "timestamp server", server -> { });
    }
}
