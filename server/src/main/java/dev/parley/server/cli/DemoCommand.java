package dev.parley.server.cli;

import dev.parley.im.ImException;
import dev.parley.server.store.RedisProcess;
import dev.parley.transport.Transport;
import dev.parley.transport.memory.MemoryTransport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code parley demo}: plays {@link DemoScript} over each chosen transport in turn, in this process,
 * and prints the transcripts; with {@code --cluster}, plays {@link ClusterDemoScript} instead, on a
 * {@code redis-server} and three server processes. Runs on the calling thread.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Play a short scripted conversation in-process, over each transport, and print it.",
                "With --cluster: start redis-server and three server nodes on it, spread three users over them, "
                        + "kill one node with SIGKILL mid-conversation, and show that nothing is lost."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-t", "--transport"}, paramLabel = "NAME", split = ",",
            description = "transports to play over, in order (default: every one available except memory)")
    private List<String> transportNames;

    @Option(names = "--cluster", description = "play on three server nodes sharing a redis-server (which must be "
            + "installed), one of them killed mid-conversation; over one transport (default: tcp)")
    private boolean cluster;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (cluster) {
            return playCluster(out, err);
        }
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

    private int playCluster(PrintWriter out, PrintWriter err) {
        if (transportNames != null && transportNames.size() > 1) {
            err.println("demo --cluster plays over one transport, not " + transportNames);
            return ParleyCommand.USAGE;
        }
        String name = transportNames != null ? transportNames.getFirst() : "tcp";
        if (name.equals(MemoryTransport.NAME)) {
            err.println("demo --cluster runs its nodes in processes of their own: it needs a network transport, not "
                    + name);
            return ParleyCommand.USAGE;
        }
        Transport transport = TransportChoice.find(spec.qualifiedName(), name, err);
        if (transport == null) {
            return ParleyCommand.USAGE;
        }
        if (RedisProcess.find() == null) {
            err.println("demo --cluster needs Redis: " + RedisProcess.HOW_TO_INSTALL);
            return ParleyCommand.FAILED;
        }
        try {
            new ClusterDemoScript(transport, out).run();
            return ParleyCommand.OK;
        } catch (IOException | ImException | IllegalStateException e) {
            out.flush();
            err.println("demo --cluster failed: " + e.getMessage());
            return ParleyCommand.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("demo --cluster interrupted");
            return ParleyCommand.FAILED;
        }
    }

    private static List<String> networkTransports() {
        return Transport.names().stream().filter(name -> !name.equals(MemoryTransport.NAME)).toList();
    }
}
