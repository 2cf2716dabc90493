package dev.parley.server.cli;

import dev.parley.im.ImClient;
import dev.parley.im.ReconnectPolicy;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.tcp.TcpTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * {@code parley chat}: registers with an IM server, then runs line commands typed (or piped) on
 * standard input and prints every event as one line on standard output; see {@link ChatSession}
 * and {@link EventFormat}. The calling thread waits for the session to end; a daemon thread reads
 * the input, so a server that goes away ends the session even while nobody types.
 *
 * <p>On a server with accounts, the password comes from the first line of {@code --password-file},
 * else from the environment variable {@value #PASSWORD_VARIABLE}; never from the command line,
 * where other users and the shell's history would see it.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat on an IM server: type /help for the commands.",
                "Every event from the server is printed as one line, for people and scripts alike."})
final class ChatCommand implements Callable<Integer> {

    /** How long the server may take to answer the registration. */
    private static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(30);
    /** The environment variable the password is read from when there is no {@code --password-file}. */
    static final String PASSWORD_VARIABLE = "PARLEY_PASSWORD";

    @ParentCommand
    private ParleyCommand parent;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-u", "--user"}, paramLabel = "NAME", required = true, description = "the username to register")
    private String username;

    @Option(names = {"-s", "--server"}, paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "localhost:6666",
            converter = Addresses.class, split = ",",
            description = {"the server's HOST:PORT, or several nodes of one server: the first that answers is used, "
                    + "and the others in turn when it is lost (default: ${DEFAULT-VALUE})"})
    private List<InetSocketAddress> servers;

    @Option(names = {"-t", "--transport"}, paramLabel = "NAME", defaultValue = "tcp", description = "tcp or udp (default: ${DEFAULT-VALUE})")
    private String transportName;

    @Option(names = "--status", paramLabel = "TEXT", defaultValue = "online", description = "the status to start with (default: ${DEFAULT-VALUE})")
    private String status;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = {"the account's password, on the first line of FILE, for a server with accounts;",
                    "without it, the environment variable " + PASSWORD_VARIABLE + " if set"})
    private Path passwordFile;

    @Option(names = "--tls-trust", paramLabel = "FILE",
            description = "PEM certificate(s) to trust: connect over TLS 1.3 (tcp only), checking the server's certificate and name")
    private Path tlsTrust;

    @Option(names = "--reconnect-attempts", paramLabel = "N", defaultValue = "" + ReconnectPolicy.DEFAULT_MAX_ATTEMPTS,
            description = {"tries to get back to the server after losing it, waiting longer each time "
                    + "(up to " + ReconnectPolicy.DEFAULT_MAX_DELAY_MILLIS / 1000 + " s), before exiting with 3; "
                    + "0 exits at once (default: ${DEFAULT-VALUE})"})
    private int reconnectAttempts;

    @Override
    public Integer call() throws InterruptedException {
        var err = spec.commandLine().getErr();
        Transport transport = TransportChoice.find(spec.qualifiedName(), transportName, TransportOptions.defaults(),
                tlsTrust == null ? null : () -> TcpTls.client(tlsTrust), err);
        if (transport == null) {
            return ParleyCommand.USAGE;
        }
        String password = password(err);
        if (password == null) {
            return ParleyCommand.USAGE;
        }
        if (reconnectAttempts < 0) {
            err.println("parley chat: --reconnect-attempts must not be negative, was " + reconnectAttempts);
            err.flush();
            return ParleyCommand.USAGE;
        }
        var defaults = ReconnectPolicy.defaults();
        var policy = new ReconnectPolicy(reconnectAttempts, defaults.initialDelay(), defaults.maxDelay());
        var session = new ChatSession(spec.commandLine().getOut(), username);
        ImClient client;
        try {
            client = connect(transport, session, policy);
        } catch (IOException e) {
            err.println("cannot reach the server at " + named() + " over " + transport.name() + ": " + e.getMessage());
            err.flush();
            return ParleyCommand.USAGE;
        }
        try (client) {
            client.register(username, status, password);
            CompletableFuture.anyOf(session.registered(), session.exitCode())
                    .get(REGISTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (session.exitCode().isDone()) {
                return session.exitCode().join();
            }
            var input = new BufferedReader(new InputStreamReader(parent.in(), Charset.defaultCharset()));
            Thread.ofPlatform().daemon().name("parley-chat-input").start(() -> session.run(client, input));
            return session.exitCode().join();
        } catch (IOException | ExecutionException e) {
            err.println("lost the server at " + named() + ": " + e.getMessage());
        } catch (TimeoutException e) {
            err.println("no answer from the server at " + named() + " within " + REGISTER_TIMEOUT.toSeconds() + " s");
        }
        err.flush();
        return ParleyCommand.DISCONNECTED;
    }

    /**
     * Connects to the first of the servers that answers, the others after it in the order given, so
     * that a node down at the start is passed over.
     *
     * @throws IOException the last node's failure, if none answers
     */
    private ImClient connect(Transport transport, ChatSession session, ReconnectPolicy policy) throws IOException {
        IOException unreachable = null;
        for (int first = 0; first < servers.size(); first++) {
            List<SocketAddress> order = new ArrayList<>(servers.subList(first, servers.size()));
            order.addAll(servers.subList(0, first));
            try {
                return ImClient.connect(transport, order, session, policy);
            } catch (IOException e) {
                unreachable = e;
            }
        }
        throw unreachable;
    }

    /** The server's address, or its nodes' separated by commas. */
    private String named() {
        return servers.stream().map(Addresses::format).collect(Collectors.joining(","));
    }

    /** The password to register with, empty if none is given, or null after saying why it cannot be read. */
    private String password(PrintWriter err) {
        if (passwordFile == null) {
            String variable = System.getenv(PASSWORD_VARIABLE);
            return variable == null ? "" : variable;
        }
        String line;
        try (var reader = Files.newBufferedReader(passwordFile, Charset.defaultCharset())) {
            line = reader.readLine();
        } catch (IOException e) {
            err.println("parley chat: cannot read the password file " + passwordFile + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
            err.flush();
            return null;
        }
        if (line == null || line.isEmpty()) {
            err.println("parley chat: no password on the first line of " + passwordFile);
            err.flush();
            return null;
        }
        return line;
    }
}
