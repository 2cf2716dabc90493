package dev.parley.docs;

import dev.parley.chaos.ChaosExtension;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.ChaosServer;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The chaos README's first snippet, the JUnit 5 extension, around an echo server of its own. */
// snippet chaos-extension
@ExtendWith(ChaosExtension.class)
class MyAppTest {
    @Test
    void survivesASlowLink(ChaosServer chaos) throws IOException {
        ChaosProxy proxy = chaos.createProxy("app", Protocol.TCP, myServer.address());
        proxy.add(Toxic.of(ToxicType.LATENCY, Direction.DOWNSTREAM).with("latency", 100).with("jitter", 50));
        // connect your client to proxy.listenAddress() ...
        // end snippet
        try (Socket client = new Socket()) {
            client.connect(proxy.listenAddress(), 5_000);
            client.setSoTimeout(5_000);
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
        }
        // snippet chaos-extension
    }
    // end snippet

    private EchoOnce myServer;

    @BeforeEach
    void startMyServer() throws IOException {
        myServer = new EchoOnce();
    }

    @AfterEach
    void stopMyServer() throws IOException {
        myServer.close();
    }

    /** Accepts one connection on a thread of its own and echoes what it reads until the end. */
    private static final class EchoOnce implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());

        EchoOnce() throws IOException {
            Thread.ofVirtual().start(() -> {
                try (Socket peer = socket.accept(); InputStream in = peer.getInputStream();
                     OutputStream out = peer.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
// snippet chaos-extension
}
// end snippet
