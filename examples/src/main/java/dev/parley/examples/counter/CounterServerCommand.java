package dev.parley.examples.counter;

import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ListenAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code parley example counter-server}: runs a {@link CounterServer} until Ctrl-C. */
@Command(name = "counter-server", mixinStandardHelpOptions = true,
        description = "Tell each connection its number: \"processed connection number N\".")
public final class CounterServerCommand extends ExampleTask {

    @Mixin
    private ListenAddress listen;

    @Option(names = "--racy", description = "count with the lesson's unsafe counter, which can hand out a number twice")
    private boolean racy;

    @Override
    protected void run() throws Exception {
        Counter counter = racy ? new RacyCounter() : new AtomicCounter();
        String description = "counter server (" + counter.getClass().getSimpleName() + ")";
        serveUntilStopped(listen, CounterServer.endpoint(counter), description, server -> { });
    }
}
