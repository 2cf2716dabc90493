package dev.parley.examples;

import dev.parley.examples.addressbook.AddressBookCommand;
import dev.parley.examples.addressbook.AddressBookServerCommand;
import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.StopSignal;
import dev.parley.examples.counter.CounterClientCommand;
import dev.parley.examples.counter.CounterServerCommand;
import dev.parley.examples.datagrams.DatagramsCommand;
import dev.parley.examples.echo.EchoClientCommand;
import dev.parley.examples.echo.EchoServerCommand;
import dev.parley.examples.embedding.ImEmbedCommand;
import dev.parley.examples.shutdown.ShutdownClientCommand;
import dev.parley.examples.shutdown.ShutdownServerCommand;
import dev.parley.examples.timestamp.TimestampClientCommand;
import dev.parley.examples.timestamp.TimestampServerCommand;
import dev.parley.server.cli.ParleyExtension;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code parley example NAME ...}: the classic network programs, rebuilt on Parley, one subcommand
 * each. Found by {@code parley} through {@link java.util.ServiceLoader} as a {@link ParleyExtension}.
 * Each subcommand runs on the calling thread and says which threads it starts.
 */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Run one of the classic network programs, rebuilt on Parley.",
        subcommands = {EchoServerCommand.class, EchoClientCommand.class,
                TimestampServerCommand.class, TimestampClientCommand.class,
                CounterServerCommand.class, CounterClientCommand.class,
                AddressBookServerCommand.class, AddressBookCommand.class,
                ShutdownServerCommand.class, ShutdownClientCommand.class,
                DatagramsCommand.class, ImEmbedCommand.class})
public final class ExampleCommand implements ParleyExtension, Callable<Integer> {

    private final InputStream in;
    private final Supplier<StopSignal> stopSignal;

    @Spec
    private CommandSpec spec;

    /** As {@code parley} runs it: standard input, and servers stopped by Ctrl-C. */
    public ExampleCommand() {
        this(System.in, StopSignal::onShutdown);
    }

    /** Reading {@code in} as standard input; servers stop when {@code stopSignal}'s signal is requested. */
    public ExampleCommand(InputStream in, Supplier<StopSignal> stopSignal) {
        this.in = Objects.requireNonNull(in, "in");
        this.stopSignal = Objects.requireNonNull(stopSignal, "stopSignal");
    }

    @Override
    public Object command() {
        return this;
    }

    /** Without an example: say which there are. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        var names = commandLine.getSubcommands().keySet();
        commandLine.getErr().println("which example? " + String.join(", ", names));
        commandLine.getErr().flush();
        return ExampleException.USAGE;
    }

    /** What the examples read as standard input. */
    public InputStream in() {
        return in;
    }

    /** The signal a server command waits for; asked for once, by a server command. */
    public StopSignal stopSignal() {
        return stopSignal.get();
    }
}
