package dev.parley.examples.counter;

import dev.parley.examples.LineClient;
import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ServerAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code parley example counter-client}: opens {@code --connections} connections at once, each on
 * a virtual thread, prints the line each is given, then whether any number came twice.
 */
@Command(name = "counter-client", mixinStandardHelpOptions = true,
        description = "Connect to a counter server, many times at once, and check every number is different.")
public final class CounterClientCommand extends ExampleTask {

    @Mixin
    private ServerAddress server;

    @Option(names = {"-n", "--connections"}, defaultValue = "1",
            description = "connections to open at once (default: ${DEFAULT-VALUE})")
    private int connections;

    @Override
    protected void run() throws Exception {
        if (connections < 1 || connections > 10_000) {
            throw ExampleException.usage("--connections must be 1 to 10000, was " + connections);
        }
        List<String> lines = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                answers.add(threads.submit(oneConnection()));
            }
            for (Future<String> answer : answers) {
                lines.add(answer.get());
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ExampleException failure) {
                throw failure;
            }
            throw ExampleException.failed("lost the server at " + server.describe() + ": " + e.getCause().getMessage());
        }
        lines.forEach(out()::println);
        long distinct = new HashSet<>(lines).size();
        out().println(connections + " connections, " + distinct + " different numbers"
                + (distinct == connections ? "" : ": " + (connections - distinct) + " lost updates on the server's counter"));
    }

    private Callable<String> oneConnection() {
        return () -> {
            try (LineClient client = server.connect(LineClient::connect)) {
                return client.next();
            }
        };
    }
}
