package dev.parley.server.cli;

import dev.parley.im.ImProtocol;
import dev.parley.server.ImServer;
import dev.parley.server.JoinPolicy;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import dev.parley.transport.tcp.TcpTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code parley server}: runs an {@link ImServer} until the process is stopped (Ctrl-C, SIGTERM),
 * when a shutdown hook closes it. Prints the bound address on standard output and logs one line per
 * connection, registration and goodbye on standard error. The calling thread waits; the server's
 * threads do the work.
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the instant-messaging server until stopped.")
final class ServerCommand implements Callable<Integer> {

    /** The slf4j-simple setting for Parley's loggers, raised to info for a server. */
    private static final String PARLEY_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.parley";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-t", "--transport"}, defaultValue = "tcp", description = "tcp or udp (default: ${DEFAULT-VALUE})")
    private String transportName;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
    private String host;

    @Option(names = {"-p", "--port"}, defaultValue = "" + ImProtocol.DEFAULT_PORT,
            description = "port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE})")
    private int port;

    @Option(names = "--broadcast-period", defaultValue = "" + ServerOptions.DEFAULT_ONLINE_BROADCAST_SECONDS + "s", converter = DurationConverter.class,
            description = "how often everyone gets the online users anyway; 0 never (default: ${DEFAULT-VALUE})")
    private Duration broadcastPeriod;

    @Option(names = "--join-policy", defaultValue = "OPEN",
            description = "who may join a conversation: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private JoinPolicy joinPolicy;

    @Option(names = "--rate", defaultValue = "" + ServerOptions.DEFAULT_MESSAGES_PER_SECOND,
            description = "requests a second one client may send on average; 0 no limit (default: ${DEFAULT-VALUE})")
    private int messagesPerSecond;

    @Option(names = "--burst", defaultValue = "" + ServerOptions.DEFAULT_MESSAGE_BURST,
            description = "requests one client may send at once before --rate applies (default: ${DEFAULT-VALUE})")
    private int messageBurst;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain to serve TLS 1.3 with (tcp only; needs --tls-key)")
    private Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key (PKCS#8, RSA or EC) of --tls-cert")
    private Path tlsKey;

    @Override
    public Integer call() throws InterruptedException {
        if (System.getProperty(PARLEY_LOG_LEVEL) == null) {
            System.setProperty(PARLEY_LOG_LEVEL, "info");
        }
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if ((tlsCertificate == null) != (tlsKey == null)) {
            err.println("parley server: --tls-cert and --tls-key go together: give both or neither");
            return ParleyCommand.USAGE;
        }
        Transport transport = TransportChoice.find(transportName,
                tlsCertificate == null ? null : () -> TcpTls.server(tlsCertificate, tlsKey), err);
        if (transport == null) {
            return ParleyCommand.USAGE;
        }
        if (port < 0 || port > 65_535) {
            err.println("parley server: --port must be 0 to 65535, was " + port);
            return ParleyCommand.USAGE;
        }
        var address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            err.println("parley server: unknown host " + host);
            return ParleyCommand.USAGE;
        }
        ServerOptions options;
        try {
            options = ServerOptions.builder().onlineBroadcastPeriod(broadcastPeriod).joinPolicy(joinPolicy)
                    .messagesPerSecond(messagesPerSecond).messageBurst(messageBurst).build();
        } catch (IllegalArgumentException e) {
            err.println("parley server: " + e.getMessage());
            return ParleyCommand.USAGE;
        }
        ImServer server;
        try {
            server = ImServer.start(transport, address, options);
        } catch (IOException e) {
            err.println(isBindFailure(e)
                    ? "port " + port + " is already in use on " + host + "; choose another with --port"
                    : "cannot listen on " + host + ":" + port + " over " + transport.name() + ": " + e.getMessage());
            return ParleyCommand.FAILED;
        }
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "parley-server-shutdown"));
        out.println("parley server listening on " + transport.name() + " " + Addresses.format(server.localAddress()));
        out.flush();
        err.println("parley server: open server: no accounts, so anyone may register any free name, and "
                + (tlsCertificate == null ? "traffic is not encrypted" : "traffic is encrypted with TLS 1.3")
                + "; see SECURITY.md");
        err.flush();
        stopped.await();
        return ParleyCommand.OK;
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
