package dev.parley.server.cli;

import dev.parley.im.ImProtocol;
import dev.parley.server.Accounts;
import dev.parley.server.ImServer;
import dev.parley.server.JoinPolicy;
import dev.parley.server.ServerOptions;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.RedisAddress;
import dev.parley.server.store.RedisOptions;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.SqliteStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.memory.MemoryTransport;
import dev.parley.transport.tcp.TcpTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code parley server}: runs an {@link ImServer} until the process is stopped (Ctrl-C, SIGTERM),
 * when a shutdown hook closes it. Conversations and messages are kept in an SQLite database under
 * {@code --data} unless {@code --store memory} or a Redis ({@code --store redis://...}) is asked
 * for; a data directory that cannot be written, or a Redis that cannot be reached, stops it at
 * start-up, saying so in one line. A node that loses Redis later keeps its connections and refuses
 * sends ("not stored: store unavailable ...") until the store has reconnected. Prints the bound address on standard output and logs one line per
 * connection, registration and goodbye on standard error. The calling thread waits; the server's
 * threads do the work.
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the instant-messaging server until stopped.")
final class ServerCommand implements Callable<Integer> {

    /** The slf4j-simple setting for Parley's loggers, raised to info for a server. */
    private static final String PARLEY_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.parley";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-t", "--transport"}, paramLabel = "NAME", defaultValue = "tcp", description = "tcp or udp (default: ${DEFAULT-VALUE})")
    private String transportName;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
    private String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + ImProtocol.DEFAULT_PORT,
            description = "port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE})")
    private int port;

    @Option(names = "--broadcast-period", defaultValue = "" + ServerOptions.DEFAULT_ONLINE_BROADCAST_SECONDS + "s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "how often everyone gets the whole online list again, on top of its changes; 0 never (default: ${DEFAULT-VALUE})")
    private Duration broadcastPeriod;

    @Option(names = "--presence-delay", paramLabel = "DURATION", defaultValue = ServerOptions.DEFAULT_PRESENCE_DELAY_MILLIS + "ms",
            converter = DurationConverter.class,
            description = "how long changes to the online list are gathered into one message to everyone; 0 sends each at once (default: ${DEFAULT-VALUE})")
    private Duration presenceDelay;

    @Option(names = "--join-policy", paramLabel = "POLICY", defaultValue = "OPEN",
            description = "who may join a conversation: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private JoinPolicy joinPolicy;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "" + ServerOptions.DEFAULT_MESSAGES_PER_SECOND,
            description = "requests a second one client may send on average; 0 no limit (default: ${DEFAULT-VALUE})")
    private int messagesPerSecond;

    @Option(names = "--burst", paramLabel = "N", defaultValue = "" + ServerOptions.DEFAULT_MESSAGE_BURST,
            description = "requests one client may send at once before --rate applies (default: ${DEFAULT-VALUE})")
    private int messageBurst;

    @Option(names = "--accounts", paramLabel = "FILE",
            description = "let only these accounts register, each with its password (see 'parley account'); without it the server is open")
    private Path accountsFile;

    @Option(names = "--failed-login-delay", paramLabel = "DURATION", defaultValue = ServerOptions.DEFAULT_FAILED_LOGIN_DELAY_MILLIS + "ms",
            converter = DurationConverter.class,
            description = "with --accounts, how long a wrong password waits for its refusal (default: ${DEFAULT-VALUE})")
    private Duration failedLoginDelay;

    @Option(names = "--max-password-checks", paramLabel = "N", defaultValue = "" + ServerOptions.DEFAULT_MAX_CONCURRENT_PASSWORD_CHECKS,
            description = "with --accounts, most passwords hashed at once; more logins are told the server is busy (default: ${DEFAULT-VALUE})")
    private int maxPasswordChecks;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain to serve TLS 1.3 with (tcp only; needs --tls-key)")
    private Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key (PKCS#8, RSA or EC) of --tls-cert")
    private Path tlsKey;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "a connection over which nothing, not even a keepalive, arrived for this long is closed; "
                    + "0 never closes one. Keep it longer than the clients' keepalive interval (default: ${DEFAULT-VALUE})")
    private Duration idleTimeout;

    @Option(names = "--keepalive", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "a connection that sent nothing for this long sends a keepalive, so that clients whose idle "
                    + "timeout is longer do not take a quiet server for dead; shorter than --idle-timeout, "
                    + "0 sends none (default: ${DEFAULT-VALUE})")
    private Duration keepAlive;

    @Option(names = "--resume-window", paramLabel = "DURATION", defaultValue = ServerOptions.DEFAULT_RESUME_WINDOW_SECONDS + "s",
            converter = DurationConverter.class,
            description = "how long a user whose connection dropped keeps their place, unannounced, before being "
                    + "signed off; 0 signs off at once (default: ${DEFAULT-VALUE})")
    private Duration resumeWindow;

    @Option(names = "--max-held-users", paramLabel = "N", defaultValue = ServerOptions.DEFAULT_MAX_HELD_USERS + "",
            description = "most users kept in their resume window at once; past it, the one held longest is signed "
                    + "off (default: ${DEFAULT-VALUE})")
    private int maxHeldUsers;

    @Option(names = "--node-lease", paramLabel = "DURATION", defaultValue = ServerOptions.DEFAULT_NODE_LEASE_SECONDS + "s",
            converter = DurationConverter.class,
            description = "on a store shared by several nodes, how long this node counts as live after each renewal "
                    + "(every second): a node that dies takes its users offline everywhere after about this long, "
                    + "unless they resumed on another node (default: ${DEFAULT-VALUE})")
    private Duration nodeLease;

    @Option(names = "--store", paramLabel = "STORE", defaultValue = "sqlite",
            description = "where conversations and messages are kept: sqlite (in --data, kept across restarts), "
                    + "memory (lost when the server stops), or a Redis shared by several nodes, "
                    + "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (rediss:// for TLS) (default: ${DEFAULT-VALUE})")
    private String storeName;

    @Option(names = "--store-trust", paramLabel = "FILE",
            description = "PEM certificate(s) to trust for a rediss:// store: its own certificate, or the authority "
                    + "that signed it (default: the JVM's trust store)")
    private Path storeTrust;

    @Option(names = "--node-id", paramLabel = "NAME",
            description = "this node's name among the nodes sharing a Redis store (default: host name and process id)")
    private String nodeId;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "parley-data",
            description = "directory of the sqlite store (default: ${DEFAULT-VALUE})")
    private Path dataDirectory;

    @Option(names = "--retain", paramLabel = "N", defaultValue = "" + StoreOptions.DEFAULT_RETAINED_MESSAGES,
            description = "messages kept per conversation (default: ${DEFAULT-VALUE})")
    private int retainedMessages;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = MetricsPublisher.Address.class,
            description = "serve the server's and the JVM's metrics in Prometheus format at http://HOST:PORT/metrics "
                    + "(HOST alone: port " + MetricsPublisher.DEFAULT_PORT + "; 0 picks a free port); anyone who can "
                    + "reach it can read them, so keep it on a private address")
    private InetSocketAddress metricsAddress;

    @Option(names = "--jmx", description = "publish the same metrics as MBeans in this JVM's MBean server, under the "
            + "domain '" + MetricsPublisher.JMX_DOMAIN + "'")
    private boolean jmx;

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
        TransportOptions transportOptions;
        try {
            transportOptions = TransportOptions.defaults().toBuilder().idleTimeout(idleTimeout).keepAliveInterval(keepAlive)
                    .build();
        } catch (IllegalArgumentException e) {
            // The two flags break only TransportOptions' own rules: the keepalive shorter, neither over a year.
            err.println("parley server: --idle-timeout " + idleTimeout.toMillis() + " ms, --keepalive " + keepAlive.toMillis()
                    + " ms: " + e.getMessage() + " (0 turns either off)");
            return ParleyCommand.USAGE;
        }
        Transport transport = TransportChoice.find(spec.qualifiedName(), transportName, transportOptions,
                tlsCertificate == null ? null : () -> TcpTls.server(tlsCertificate, tlsKey), err);
        if (transport == null) {
            return ParleyCommand.USAGE;
        }
        if (transport.name().equals(MemoryTransport.NAME)) {
            err.println("parley server: --transport memory reaches only this process, so no client could connect; "
                    + "use tcp or udp");
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
        Accounts accounts = null;
        if (accountsFile != null) {
            try {
                accounts = Accounts.load(accountsFile);
            } catch (NoSuchFileException e) {
                err.println("parley server: no account file " + accountsFile + "; create it with 'parley account add NAME"
                        + " --accounts " + accountsFile + "'");
                return ParleyCommand.FAILED;
            } catch (IOException e) {
                err.println("parley server: " + e.getMessage());
                return ParleyCommand.FAILED;
            }
        }
        String node = nodeId == null ? defaultNodeId() : nodeId;
        ServerOptions options;
        try {
            options = ServerOptions.builder().onlineBroadcastPeriod(broadcastPeriod).presenceDelay(presenceDelay)
                    .joinPolicy(joinPolicy)
                    .messagesPerSecond(messagesPerSecond).messageBurst(messageBurst).accounts(accounts)
                    .resumeWindow(resumeWindow).maxHeldUsers(maxHeldUsers).nodeId(node).nodeLease(nodeLease)
                    .failedLoginDelay(failedLoginDelay).maxConcurrentPasswordChecks(maxPasswordChecks).build();
        } catch (IllegalArgumentException e) {
            err.println("parley server: " + e.getMessage());
            return ParleyCommand.USAGE;
        }
        if (storeTrust != null && !storeName.startsWith("rediss://")) {
            err.println("parley server: --store-trust is for a rediss:// store, and the store is " + storeName);
            return ParleyCommand.USAGE;
        }
        ChatStore store;
        try {
            var storeOptions = StoreOptions.defaults().withRetainedMessages(retainedMessages);
            store = switch (storeName) {
                case "memory" -> MemoryStore.create(storeOptions);
                case "sqlite" -> SqliteStore.open(dataDirectory, storeOptions);
                case String uri when uri.startsWith("redis://") || uri.startsWith("rediss://") ->
                        RedisStore.open(RedisAddress.parse(uri), redisOptions(), storeOptions);
                default -> {
                    err.println("parley server: --store must be sqlite, memory or redis[s]://HOST[:PORT], was "
                            + storeName);
                    yield null;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("parley server: " + e.getMessage());
            return ParleyCommand.USAGE;
        } catch (StoreException | IOException e) {
            err.println("parley server: " + e.getMessage() + (storeTrust == null && causedBy(e, SSLHandshakeException.class)
                    ? "; to trust its certificate, name it with --store-trust FILE" : ""));
            return ParleyCommand.FAILED;
        }
        if (store == null) {
            return ParleyCommand.USAGE;
        }
        ImServer server;
        try {
            server = ImServer.start(transport, address, options, store);
        } catch (IOException e) {
            store.close();
            err.println(isBindFailure(e)
                    ? "parley server: port " + port + " is already in use on " + host + "; choose another with --port"
                    : "parley server: cannot listen on " + host + ":" + port + " over " + transport.name() + ": " + e.getMessage());
            return ParleyCommand.FAILED;
        }
        MetricsPublisher metrics = null;
        if (metricsAddress != null || jmx) {
            try {
                metrics = MetricsPublisher.start(server, metricsAddress, jmx);
            } catch (IOException e) {
                server.close();
                err.println("parley server: cannot serve metrics on " + Addresses.format(metricsAddress) + ": "
                        + (isBindFailure(e) ? "the port is already in use; choose another with --metrics HOST:PORT"
                        : e.getMessage()));
                return ParleyCommand.FAILED;
            }
        }
        var stopped = new CountDownLatch(1);
        MetricsPublisher published = metrics;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (published != null) {
                published.close();
            }
            server.close();
            stopped.countDown();
        }, "parley-server-shutdown"));
        out.println("parley server listening on " + transport.name() + " " + Addresses.format(server.localAddress()));
        if (metricsAddress != null) {
            out.println("parley server metrics at http://" + Addresses.format(metrics.httpAddress())
                    + MetricsPublisher.PATH);
        }
        out.flush();
        String traffic = tlsCertificate == null ? "traffic is not encrypted" : "traffic is encrypted with TLS 1.3";
        if (accounts == null) {
            err.println("parley server: open server: no accounts, so anyone may register any free name, and "
                    + traffic + "; see SECURITY.md");
        } else {
            err.println("parley server: accounts on: " + accounts.size() + " account" + (accounts.size() == 1 ? "" : "s")
                    + " from " + accountsFile + "; only they may register, each with its password, and " + traffic
                    + (tlsCertificate == null ? ", so passwords cross the network as typed" : "") + "; see SECURITY.md");
            if (othersMayRead(accountsFile)) {
                err.println("parley server: warning: other users may read " + accountsFile
                        + "; make it owner-only (chmod 600)");
            }
        }
        if (store instanceof RedisStore redis) {
            err.println("parley server: node " + node + " keeps its "
                    + "conversations in Redis at " + redis.address());
        }
        err.flush();
        stopped.await();
        return ParleyCommand.OK;
    }

    /** The host's name and this process's id, as in {@code host-1234}. */
    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /** True if {@code file}'s POSIX permissions let its group or others read it; false where unknown. */
    private static boolean othersMayRead(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    private static boolean isBindFailure(Throwable e) {
        return causedBy(e, BindException.class);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** How to reach a Redis store: the defaults, trusting {@code --store-trust} if given. */
    private RedisOptions redisOptions() throws IOException {
        return storeTrust == null ? RedisOptions.defaults() : RedisOptions.defaults().withTls(TcpTls.client(storeTrust).context());
    }
}
