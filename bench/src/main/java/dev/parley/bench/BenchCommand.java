package dev.parley.bench;

import dev.parley.server.cli.ParleyExtension;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code parley bench}: measures Parley and its peers in one run on this machine and prints the
 * medians and the headline ratios; {@code --quick} takes under two minutes. With {@code --out DIR}
 * it also writes the tables as Markdown and the plots as PNG there. Found by {@code parley}
 * through {@link java.util.ServiceLoader}; runs on the calling thread, each contender starting
 * its own server threads.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark Parley against a raw socket, KryoNet, Java RMI, gRPC and Aeron on loopback; print medians and ratios.")
public final class BenchCommand implements ParleyExtension, Callable<Integer> {

    @Option(names = "--quick", description = "One short round (under two minutes) instead of three long ones.")
    private boolean quick;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Also write results.md, latency.png, throughput.png and loss.png into this directory.")
    private Path out;

    @Option(names = "--only", paramLabel = "NAME",
            description = "Measure only this contender (raw-socket, parley-tcp, ...) and print its figures, for profiling; "
                    + "or only the '" + Suite.SCALE + "', the '" + Suite.LOSS + "', the '" + Suite.STORES
                    + "' or the '" + Suite.DURABILITY + "' benchmark, printing its table.")
    private String only;

    @Override
    public Object command() {
        return this;
    }

    @Override
    public Integer call() throws Exception {
        Suite suite = quick ? Suite.quick() : Suite.full();
        if (only != null) {
            suite.runOne(only, System.out);
            return 0;
        }
        Results results = suite.run(System.out);
        System.out.println();
        System.out.println(results.markdown());
        System.out.println("Headline ratios (medians, this run):");
        System.out.println(results.headline());
        if (out != null) {
            write(results, out);
            System.out.println("Wrote results.md and the plots to " + out.toAbsolutePath());
        }
        return 0;
    }

    /** Writes the Markdown tables and the plots of {@code results} into {@code directory}. */
    static void write(Results results, Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("results.md"), results.markdown());
        new BarChart("Round trip on loopback (median of rounds)", "µs", List.of("p50", "p99.9"),
                results.latencyBars()).writePng(directory.resolve("latency.png"));
        new BarChart("Pipelined throughput on loopback (median of rounds)", "messages/s",
                List.of("1 client", Suite.MANY_CLIENTS + " clients"), results.throughputBars())
                .writePng(directory.resolve("throughput.png"));
        if (!results.loss().results().isEmpty()) {
            new BarChart("Delivery latency p99 under packet loss (nftables, network namespace)", "ms",
                    UnderLoss.TRANSPORTS, results.lossBars()).writePng(directory.resolve("loss.png"));
            new BarChart("Goodput under packet loss, one client sending 1 KiB messages flat out", "MB/s",
                    UnderLoss.TRANSPORTS, results.lossGoodputBars()).writePng(directory.resolve("loss-goodput.png"));
        }
    }
}
