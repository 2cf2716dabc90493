package dev.parley.server.cli;

import dev.parley.im.ImException;
import dev.parley.transport.Transport;
import dev.parley.transport.memory.MemoryTransport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code parley demo}: plays {@link DemoScript} over each chosen transport in turn, in this process,
 * and prints the transcripts. Runs on the calling thread.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Play a short scripted conversation in-process, over each transport, and print it.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-t", "--transport"}, paramLabel = "NAME", split = ",",
            description = "transports to play over, in order (default: every one available except memory)")
    private List<String> transportNames;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        List<String> names = transportNames != null ? transportNames : networkTransports();
        if (names.isEmpty()) {
            out.println("(no network transport is on the class path: playing over memory)");
            names = List.of(MemoryTransport.NAME);
        }
        for (String name : names) {
            Transport transport = TransportChoice.find(spec.qualifiedName(), name, err);
            if (transport == null) {
                return ParleyCommand.USAGE;
            }
            try {
                new DemoScript(transport, out).run();
            } catch (IOException | ImException | IllegalStateException e) {
                out.flush();
                err.println("demo over " + name + " failed: " + e.getMessage());
                err.flush();
                return ParleyCommand.FAILED;
            }
        }
        return ParleyCommand.OK;
    }

    private static List<String> networkTransports() {
        return Transport.names().stream().filter(name -> !name.equals(MemoryTransport.NAME)).toList();
    }
}
