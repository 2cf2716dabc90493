package dev.parley.transport.tcp;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static dev.parley.transport.TransportConformanceTest.AWAIT;
import static dev.parley.transport.TransportConformanceTest.awaitTrue;
import static dev.parley.transport.TransportConformanceTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which threads read TCP connections: by default a daemon platform thread for a connection this
 * process opened and a virtual thread for one a listener accepted, each side changeable with
 * {@link TcpTransport#withReaderThreads}, virtual past the limit of platform readers; and every
 * reader, of either kind, ends with its connection. The handler's methods run on the reader, so they observe it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpReaderThreadsTest {

    private static final TransportOptions OPTIONS = TransportOptions.defaults().toBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(3))
            .build();

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void readsConnectedConnectionsOnDaemonPlatformThreadsAndAcceptedOnesOnVirtualThreadsByDefault() throws Exception {
        assertThat((TcpTransport) Transport.byName("tcp", OPTIONS))
                .extracting(TcpTransport::connectedReaders, TcpTransport::acceptedReaders)
                .containsExactly(ReaderThreads.PLATFORM, ReaderThreads.VIRTUAL);

        Pair pair = openPair(TcpTransport.create(OPTIONS));

        Thread clientReader = pair.client.reader();
        assertThat(clientReader.isVirtual()).as("the connected side's reader is virtual").isFalse();
        assertThat(clientReader.isDaemon()).as("a platform reader is a daemon").isTrue();
        assertThat(clientReader.getName()).startsWith("parley-tcp-reader-")
                .endsWith("-127.0.0.1:" + ((InetSocketAddress) pair.listener.localAddress()).getPort());
        Thread serverReader = pair.server.reader();
        assertThat(serverReader.isVirtual()).as("the accepted side's reader is virtual").isTrue();
        assertThat(serverReader.getName()).startsWith("parley-tcp-reader-").endsWith(
                "-127.0.0.1:" + ((InetSocketAddress) pair.connection.localAddress()).getPort());
    }

    @ParameterizedTest(name = "connected {0}, accepted {1}")
    @CsvSource({"VIRTUAL, VIRTUAL", "VIRTUAL, PLATFORM", "PLATFORM, PLATFORM", "PLATFORM, VIRTUAL"})
    void readsAndDeliversEachSideOnTheKindOfThreadChosen(ReaderThreads connected, ReaderThreads accepted)
            throws Exception {
        Pair pair = openPair(TcpTransport.create(OPTIONS).withReaderThreads(connected, accepted));

        pair.connection.send(text("ping"));

        assertThat(pair.client.echoed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(text("ping"));
        assertThat(pair.client.reader().isVirtual()).isEqualTo(connected == ReaderThreads.VIRTUAL);
        assertThat(pair.server.reader().isVirtual()).isEqualTo(accepted == ReaderThreads.VIRTUAL);
        assertThat(pair.client.frameThread.get()).as("the client's frame came on its reader").isSameAs(pair.client.reader());
        assertThat(pair.server.frameThread.get()).as("the server's frame came on its reader").isSameAs(pair.server.reader());
    }

    /** How a test ends a connection from the client's side. */
    enum Ending {
        CLIENT_CLOSES {
            @Override
            void end(Pair pair) {
                pair.connection.close();
            }
        },
        CLIENT_ABORTS {
            @Override
            void end(Pair pair) {
                pair.connection.abort(new IOException("the test aborts"));
            }
        },
        LISTENER_CLOSES {
            @Override
            void end(Pair pair) {
                pair.listener.close();
            }
        };

        abstract void end(Pair pair);
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void platformReadersEndWithTheirConnection(Ending ending) throws Exception {
        var transport = TcpTransport.create(OPTIONS).withReaderThreads(ReaderThreads.PLATFORM, ReaderThreads.PLATFORM);
        Pair pair = openPair(transport);
        Thread clientReader = pair.client.reader();
        Thread serverReader = pair.server.reader();

        ending.end(pair);

        pair.client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        pair.server.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(clientReader.join(AWAIT)).as("the client's reader ended").isTrue();
        assertThat(serverReader.join(AWAIT)).as("the server's reader ended").isTrue();
    }

    @Test
    void readsOnVirtualThreadsPastTheLimitOfPlatformReadersAndOnPlatformThreadsOnceBelowItAgain() throws Exception {
        var transport = TcpTransport.create(OPTIONS).withReaderThreads(ReaderThreads.PLATFORM, ReaderThreads.PLATFORM);
        var readers = new ConcurrentLinkedQueue<Thread>();
        ConnectionHandler recordingEcho = new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                readers.add(Thread.currentThread());
            }

            @Override
            public void onFrame(Connection connection, byte[] frame) {
                try {
                    connection.send(frame);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), recordingEcho);
        resources.add(listener);
        int connections = ReaderThreads.MAX_PLATFORM_READERS / 2 + 10;
        var clients = new ArrayList<Connection>();
        for (int i = 0; i < connections; i++) {
            Connection client = transport.connect(listener.localAddress(), recordingEcho);
            resources.add(client);
            clients.add(client);
        }
        awaitTrue("every connection's two readers started", () -> readers.size() == 2 * connections);

        // More readers than the limit: those past it (and past any other test's still ending) are virtual.
        long platform = readers.stream().filter(thread -> !thread.isVirtual()).count();
        assertThat(platform).as("platform readers of %d", readers.size())
                .isBetween(1L, (long) ReaderThreads.MAX_PLATFORM_READERS);
        var last = new ThreadRecorder(false);
        Connection lastClient = transport.connect(listener.localAddress(), last);
        resources.add(lastClient);
        lastClient.send(text("served past the limit"));
        assertThat(last.echoed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(text("served past the limit"));

        clients.forEach(Connection::close);
        lastClient.close();
        for (Thread reader : readers) {
            assertThat(reader.join(AWAIT)).as("%s ended", reader.getName()).isTrue();
        }
        assertThat(openPair(transport).client.reader().isVirtual()).as("a platform reader once below the limit").isFalse();
    }

    /** A connected client and the server's side of it, with the handlers that saw their threads. */
    private record Pair(Listener listener, Connection connection, ThreadRecorder client, ThreadRecorder server) {
    }

    private Pair openPair(TcpTransport transport) throws Exception {
        var server = new ThreadRecorder(true);
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), server);
        resources.add(listener);
        var client = new ThreadRecorder(false);
        Connection connection = transport.connect(listener.localAddress(), client);
        resources.add(connection);
        server.reader();
        return new Pair(listener, connection, client, server);
    }

    /**
     * Records the threads that call it, for the first connection it serves; echoes frames if asked
     * to. Called on a connection's reader; read by the test thread.
     */
    private static final class ThreadRecorder implements ConnectionHandler {
        final CompletableFuture<Thread> openThread = new CompletableFuture<>();
        final CompletableFuture<Thread> frameThread = new CompletableFuture<>();
        final CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        final CompletableFuture<ConnectionClosedException> closed = new CompletableFuture<>();
        private final boolean echo;

        ThreadRecorder(boolean echo) {
            this.echo = echo;
        }

        /** The thread that ran {@code onOpen}, waiting for it at most {@link #AWAIT}. */
        Thread reader() throws Exception {
            return openThread.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onOpen(Connection connection) {
            openThread.complete(Thread.currentThread());
        }

        @Override
        public void onFrame(Connection connection, byte[] frame) {
            frameThread.complete(Thread.currentThread());
            if (!echo) {
                echoed.complete(frame);
                return;
            }
            try {
                connection.send(frame);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void onClose(Connection connection, ConnectionClosedException cause) {
            closed.complete(cause);
        }
    }
}
