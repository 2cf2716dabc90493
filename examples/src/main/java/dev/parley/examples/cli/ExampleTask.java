package dev.parley.examples.cli;

import dev.parley.server.cli.Addresses;
import dev.parley.Endpoint;
import dev.parley.Server;
import dev.parley.examples.ExampleCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The base of every {@code parley example} subcommand: runs {@link #run()} and turns an
 * {@link ExampleException} into one line on standard error and its exit code. Runs on the thread
 * that executes the command line.
 */
public abstract class ExampleTask implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        try {
            run();
            return 0;
        } catch (ExampleException e) {
            out().flush();
            err().println(e.getMessage());
            err().flush();
            return e.exitCode();
        }
    }

    /** Does the command's work, printing to {@link #out()}. */
    protected abstract void run() throws Exception;

    protected final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** What the command reads as standard input. */
    protected final InputStream in() {
        return root().in();
    }

    /**
     * Starts {@code endpoint} listening where {@code listen} says, prints where, waits until the
     * process is asked to stop (Ctrl-C), runs {@code onStop} on this thread, then closes the server
     * gracefully.
     */
    protected final void serveUntilStopped(ListenAddress listen, Endpoint endpoint, String description,
                                           Consumer<Server> onStop) throws ExampleException, InterruptedException {
        Server server = listen.listen(endpoint);
        StopSignal stop = root().stopSignal();
        try (server) {
            out().println(description + " listening on " + listen.transportName() + " "
                    + Addresses.format(server.localAddress()) + " (Ctrl-C stops it)");
            out().flush();
            stop.await();
            onStop.accept(server);
            server.close();
            out().println(description + " stopped");
        } finally {
            out().flush();
            stop.done();
        }
    }

    private ExampleCommand root() {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            if (s.userObject() instanceof ExampleCommand example) {
                return example;
            }
        }
        throw new IllegalStateException(spec.qualifiedName() + " is not under parley example");
    }
}
