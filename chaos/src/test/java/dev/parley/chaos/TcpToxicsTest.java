package dev.parley.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each TCP toxic does to a real connection through the proxy what Toxiproxy's does. */
class TcpToxicsTest {

    private EchoServer echo;
    private ChaosServer chaos;
    private ChaosProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        chaos = ChaosServer.start(ChaosOptions.defaults());
        proxy = chaos.createProxy("echo", Protocol.TCP, echo.address());
    }

    @AfterEach
    void stop() throws IOException {
        chaos.close();
        echo.close();
    }

    @Test
    void latencyDelaysEachDirection() throws IOException {
        proxy.add(Toxic.of(ToxicType.LATENCY, Direction.UPSTREAM).with("latency", 100));
        proxy.add(Toxic.of(ToxicType.LATENCY, Direction.DOWNSTREAM).with("latency", 50).with("jitter", 10));

        try (Socket socket = connect()) {
            long start = System.nanoTime();
            assertThat(echoOf(socket, bytes(10))).isEqualTo(bytes(10));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(140);
        }
    }

    @Test
    void bandwidthPacesTheStream() throws IOException {
        proxy.add(Toxic.of(ToxicType.BANDWIDTH, Direction.DOWNSTREAM).with("rate", 100));

        try (Socket socket = connect()) {
            long start = System.nanoTime();
            assertThat(echoOf(socket, bytes(30 * 1024))).isEqualTo(bytes(30 * 1024));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
        }
    }

    @Test
    void slicerCutsDataButKeepsEveryByteInOrder() throws IOException {
        proxy.add(Toxic.of(ToxicType.SLICER, Direction.DOWNSTREAM)
                .with("average_size", 7).with("size_variation", 3).with("delay", 10));

        try (Socket socket = connect()) {
            assertThat(echoOf(socket, bytes(2_000))).isEqualTo(bytes(2_000));
        }
    }

    @Test
    void limitDataClosesTheConnectionAfterThatManyBytes() throws IOException {
        proxy.add(Toxic.of(ToxicType.LIMIT_DATA, Direction.DOWNSTREAM).with("bytes", 100));

        try (Socket socket = connect()) {
            socket.getOutputStream().write(bytes(300));
            assertThat(socket.getInputStream().readAllBytes()).isEqualTo(bytes(100));
        }
    }

    @Test
    void resetPeerResetsTheConnectionAfterItsTimeout() throws IOException {
        try (Socket socket = connect()) {
            assertThat(echoOf(socket, bytes(5))).isEqualTo(bytes(5));
            proxy.add(Toxic.of(ToxicType.RESET_PEER, Direction.UPSTREAM).with("timeout", 50));

            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void timeoutDropsDataThenClosesAfterItsTimeout() throws IOException {
        proxy.add(Toxic.of(ToxicType.TIMEOUT, Direction.UPSTREAM).with("timeout", 100));

        // Timed from before the connect: the proxy's timeout can start as soon as it accepts, before connect() returns.
        long start = System.nanoTime();
        try (Socket socket = connect()) {
            socket.getOutputStream().write(bytes(10));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(90);
        }
    }

    @Test
    void timeoutOfZeroHoldsTheConnectionOpenUntilRemoved() throws IOException {
        proxy.add(Toxic.of(ToxicType.TIMEOUT, Direction.DOWNSTREAM));

        try (Socket socket = connect()) {
            socket.setSoTimeout(200);
            socket.getOutputStream().write(bytes(10));
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            proxy.remove("timeout_downstream");
            socket.setSoTimeout(5_000);
            assertThat(echoOf(socket, bytes(3))).isEqualTo(bytes(3));
        }
    }

    @Test
    void slowCloseDelaysTheClose() throws IOException {
        proxy.add(Toxic.of(ToxicType.SLOW_CLOSE, Direction.DOWNSTREAM).with("delay", 150));

        try (Socket socket = connect()) {
            assertThat(echoOf(socket, bytes(4))).isEqualTo(bytes(4));
            long start = System.nanoTime();
            socket.shutdownOutput();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(140);
        }
    }

    @Test
    void aToxicOfToxicityZeroActsOnNoConnection() throws IOException {
        proxy.add(Toxic.of(ToxicType.LIMIT_DATA, Direction.DOWNSTREAM).with("bytes", 1).withToxicity(0));

        try (Socket socket = connect()) {
            assertThat(echoOf(socket, bytes(50))).isEqualTo(bytes(50));
        }
    }

    @Test
    void refusesAUdpToxicOnATcpProxy() {
        assertThatThrownBy(() -> proxy.add(Toxic.of(ToxicType.LOSS, Direction.DOWNSTREAM)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcp proxy has no toxic type 'loss'");
    }

    private Socket connect() throws IOException {
        InetSocketAddress address = proxy.listenAddress();
        var socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] echoOf(Socket socket, byte[] data) throws IOException {
        socket.getOutputStream().write(data);
        InputStream in = socket.getInputStream();
        return in.readNBytes(data.length);
    }

    private static byte[] bytes(int count) {
        byte[] data = new byte[count];
        Arrays.setAll(new int[count], i -> data[i] = (byte) i);
        return data;
    }
}
