package dev.parley.chaos.cli;

import dev.parley.chaos.ChaosOptions;
import dev.parley.chaos.ChaosServer;
import dev.parley.chaos.internal.Addresses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code parley chaos}: the chaos kit as a stand-alone server, as {@code toxiproxy-server} runs, so
 * a Toxiproxy client in any language can drive it. Runs on the thread that calls it until the JVM is
 * stopped (Ctrl-C) or that thread is interrupted.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Run the chaos kit's Toxiproxy-compatible control API and its proxies until stopped, "
                + "as toxiproxy-server does."})
final class ToxiproxyServerCommand implements Callable<Integer> {

    private static final int OK = 0;
    private static final int FAILED = 1;
    private static final Duration POPULATE_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "address the control API listens on (default: ${DEFAULT-VALUE})")
    private String host;

    @Option(names = "--port", defaultValue = "8474", paramLabel = "PORT",
            description = "port of the control API; 0 picks a free one (default: ${DEFAULT-VALUE}, Toxiproxy's)")
    private int port;

    @Option(names = "--config", paramLabel = "FILE",
            description = "a JSON array of proxies to create at start, as toxiproxy-server -config and POST /populate take")
    private Path config;

    @Option(names = "--seed", paramLabel = "N",
            description = "seed of every random choice, to replay a run (default: a fresh one, printed at start)")
    private Long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ChaosOptions options = ChaosOptions.defaults().withControlAddress(new InetSocketAddress(host, port));
        if (seed != null) {
            options = options.withSeed(seed);
        }
        ChaosServer chaos;
        try {
            chaos = ChaosServer.start(options);
        } catch (IOException e) {
            err.println("parley chaos: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            return FAILED;
        }
        var stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            chaos.close();
            stopped.countDown();
        }, "parley-chaos-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (chaos) {
            InetSocketAddress control = chaos.controlAddress();
            if (config != null) {
                String failure = populate(control, config);
                if (failure != null) {
                    err.println("parley chaos: " + config + ": " + failure);
                    return FAILED;
                }
                out.println("parley chaos: proxies from " + config + ": " + String.join(", ",
                        chaos.proxies().stream().map(p -> p.name() + " " + Addresses.format(p.listenAddress()) + " -> " + p.upstream()).toList()));
            }
            out.println("parley chaos: Toxiproxy-compatible API on http://" + control.getHostString() + ":"
                    + control.getPort() + " (seed " + chaos.seed() + ")");
            out.flush();
            stopped.await();
            return OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OK;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it closes the server itself
            }
        }
    }

    /** POSTs the file to the server's own {@code /populate}, so both take exactly the same input; null if it took it. */
    private static String populate(InetSocketAddress control, Path file) throws InterruptedException {
        InetAddress host = control.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : control.getAddress();
        String literal = host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        URI uri = URI.create("http://" + literal + ":" + control.getPort() + "/populate");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(POPULATE_TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 201 ? null : answer.body().strip();
        } catch (FileNotFoundException e) {
            return "no such file";
        } catch (IOException e) {
            return "cannot populate: " + e.getMessage();
        }
    }
}
