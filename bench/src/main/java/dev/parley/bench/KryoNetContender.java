package dev.parley.bench;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.Server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * KryoNet over TCP, as its README shows it: a {@code Server} and {@code Client}s exchanging
 * registered objects (here {@code byte[]}, whose first byte says whether to echo). Runs only in
 * the child JVM of {@link KryoNetProcess}, whose class path holds KryoNet's own Kryo 2. Write
 * buffers are 1 MiB because KryoNet closes a connection whose buffer overflows rather than waiting;
 * a pipelined batch then fits. KryoNet cannot bind port 0 and report it, so a free port is found
 * first (and another one tried should it be taken before KryoNet binds it). The server answers on its single update thread; each client has an update thread too.
 */
final class KryoNetContender implements Contender {

    private static final int WRITE_BUFFER = 1 << 20;
    private static final int OBJECT_BUFFER = 2048;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int BIND_ATTEMPTS = 5;
    private static final byte SINK = 0;
    private static final byte ECHO = 1;

    private Server server;
    private int port;

    @Override
    public String name() {
        return "kryonet";
    }

    @Override
    public void start() throws IOException {
        server = new Server(WRITE_BUFFER, OBJECT_BUFFER);
        server.getKryo().register(byte[].class);
        server.addListener(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                if (object instanceof byte[] frame && frame[0] == ECHO) {
                    connection.sendTCP(frame);
                }
            }
        });
        bindFreePort();
        server.start();
    }

    /** Binds a port found free, trying another if someone else took it between finding and binding. */
    private void bindFreePort() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            try {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null);
                return;
            } catch (BindException taken) {
                if (attempt == BIND_ATTEMPTS) {
                    throw taken;
                }
            }
        }
    }

    @Override
    public Client connect() throws IOException {
        var replies = new Arrivals();
        var client = new com.esotericsoftware.kryonet.Client(WRITE_BUFFER, OBJECT_BUFFER);
        client.getKryo().register(byte[].class);
        client.addListener(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                if (object instanceof byte[]) {
                    replies.arrived();
                }
            }
        });
        client.start();
        client.connect(CONNECT_TIMEOUT_MILLIS, InetAddress.getLoopbackAddress(), port);
        byte[] echo = Payloads.SMALL.clone();
        echo[0] = ECHO;
        byte[] sink = Payloads.SMALL.clone();
        sink[0] = SINK;
        return new Client() {
            private long expected;

            @Override
            public void roundTrip() throws Exception {
                send(echo);
                replies.awaitAtLeast(++expected);
            }

            @Override
            public void pipeline(int messages) throws Exception {
                for (int i = 1; i < messages; i++) {
                    send(sink);
                }
                roundTrip();
            }

            /** KryoNet reports a failed send as 0 bytes written, not as an exception. */
            private void send(byte[] frame) throws IOException {
                if (client.sendTCP(frame) == 0) {
                    throw new IOException("KryoNet sent nothing: the connection is closed");
                }
            }

            @Override
            public void close() throws IOException {
                client.stop();
            }
        };
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
