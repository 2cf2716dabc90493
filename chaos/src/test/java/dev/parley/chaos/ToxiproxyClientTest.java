package dev.parley.chaos;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The unmodified Toxiproxy Java client drives the kit's control API. */
class ToxiproxyClientTest {

    private EchoServer echo;
    private ChaosServer chaos;
    private ToxiproxyClient client;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        chaos = ChaosServer.start(ChaosOptions.defaults());
        client = new ToxiproxyClient(chaos.controlAddress().getHostString(), chaos.controlAddress().getPort());
    }

    @AfterEach
    void stop() throws IOException {
        chaos.close();
        echo.close();
    }

    @Test
    void createsAProxyThatForwardsAndListsIt() throws IOException {
        Proxy proxy = client.createProxy("echo", "127.0.0.1:0", upstream());

        assertThat(proxy.getName()).isEqualTo("echo");
        assertThat(proxy.getUpstream()).isEqualTo(upstream());
        assertThat(proxy.isEnabled()).isTrue();
        assertThat(proxy.getListen()).startsWith("127.0.0.1:").doesNotEndWith(":0");
        assertThat(client.getProxies()).extracting(Proxy::getName).containsExactly("echo");
        assertThat(client.getProxy("echo").getListen()).isEqualTo(proxy.getListen());
        assertThat(roundTrip(proxy, "hello")).isEqualTo("hello");
    }

    @Test
    void refusesADuplicateProxyAndAnUnknownOneWithToxiproxysStatusCodes() throws IOException {
        client.createProxy("echo", "127.0.0.1:0", upstream());

        assertThatThrownBy(() -> client.createProxy("echo", "127.0.0.1:0", upstream()))
                .isInstanceOf(IOException.class).hasMessageContaining("409").hasMessageContaining("already exists");
        assertThatThrownBy(() -> client.getProxy("nobody"))
                .isInstanceOf(IOException.class).hasMessageContaining("404").hasMessageContaining("not found");
    }

    @Test
    void addsUpdatesListsAndRemovesToxics() throws IOException {
        Proxy proxy = client.createProxy("echo", "127.0.0.1:0", upstream());

        Latency latency = proxy.toxics().latency("slow", ToxicDirection.UPSTREAM, 100).setJitter(20);
        latency.setToxicity(0.5f);
        proxy.toxics().bandwidth("thin", ToxicDirection.DOWNSTREAM, 64);
        proxy.toxics().slicer("sliced", ToxicDirection.DOWNSTREAM, 10, 2).setDelay(5);
        proxy.toxics().slowClose("lingering", ToxicDirection.DOWNSTREAM, 10);
        proxy.toxics().limitData("capped", ToxicDirection.UPSTREAM, 1_000_000);
        proxy.toxics().timeout("stalled", ToxicDirection.DOWNSTREAM, 0).remove();
        proxy.toxics().resetPeer("resets", ToxicDirection.UPSTREAM, 60_000).remove();

        Latency fetched = proxy.toxics().get("slow", Latency.class);
        assertThat(fetched.getLatency()).isEqualTo(100);
        assertThat(fetched.getJitter()).isEqualTo(20);
        assertThat(fetched.getToxicity()).isEqualTo(0.5f);
        assertThat(fetched.getStream()).isEqualTo(ToxicDirection.UPSTREAM);
        assertThat(proxy.toxics().getAll()).extracting(t -> t.getName())
                .containsExactly("slow", "thin", "sliced", "lingering", "capped");
        assertThat(chaos.proxy("echo").orElseThrow().toxics()).extracting(Toxic::type).containsExactly(
                ToxicType.LATENCY, ToxicType.BANDWIDTH, ToxicType.SLICER, ToxicType.SLOW_CLOSE, ToxicType.LIMIT_DATA);

        fetched.remove();
        assertThat(proxy.toxics().getAll()).extracting(t -> t.getName()).doesNotContain("slow");
    }

    @Test
    void disablingTakesTheProxyDownAndEnablingBringsItBack() throws IOException {
        Proxy proxy = client.createProxy("echo", "127.0.0.1:0", upstream());
        Socket open = accepted(proxy);

        proxy.disable();

        assertThat(client.getProxy("echo").isEnabled()).isFalse();
        assertThat(open.getInputStream().read()).isEqualTo(-1);
        assertThatThrownBy(() -> connect(proxy)).isInstanceOf(IOException.class);
        proxy.enable();
        assertThat(roundTrip(proxy, "back")).isEqualTo("back");
    }

    @Test
    void resetRemovesEveryToxicAndEnablesEveryProxy() throws IOException {
        Proxy proxy = client.createProxy("echo", "127.0.0.1:0", upstream());
        proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 1_000);
        proxy.disable();

        client.reset();

        assertThat(client.getProxy("echo").isEnabled()).isTrue();
        assertThat(proxy.toxics().getAll()).isEmpty();
        assertThat(roundTrip(proxy, "fresh")).isEqualTo("fresh");
    }

    @Test
    void deletesAProxyAndAnswersItsVersion() throws IOException {
        client.createProxy("echo", "127.0.0.1:0", upstream()).delete();

        assertThat(client.getProxies()).isEmpty();
        assertThat(client.version()).matches("(?s)\\{\\s*\"version\"\\s*:\\s*\"parley-chaos [^\"]*Toxiproxy-compatible[^\"]*\"\\s*}\\s*");
    }

    @Test
    void movesALiveProxyToAnotherUpstreamAndListenAddressKeepingItsToxics() throws IOException {
        Proxy proxy = client.createProxy("echo", "127.0.0.1:0", upstream());
        proxy.toxics().bandwidth("thin", ToxicDirection.DOWNSTREAM, 64);
        Socket open = accepted(proxy);
        try (var other = new EchoServer()) {
            String otherUpstream = "127.0.0.1:" + other.address().getPort();

            proxy.setUpstream(otherUpstream);

            assertThat(open.getInputStream().read()).as("a connection open through the old upstream is closed").isEqualTo(-1);
            assertThat(client.getProxy("echo").getUpstream()).isEqualTo(otherUpstream);
            assertThat(roundTrip(client.getProxy("echo"), "moved")).isEqualTo("moved");
            String listen = client.getProxy("echo").getListen();

            proxy.setListen("127.0.0.1:0");

            Proxy moved = client.getProxy("echo");
            assertThat(moved.getListen()).isNotEqualTo(listen);
            assertThat(moved.isEnabled()).isTrue();
            assertThat(moved.toxics().getAll()).extracting(t -> t.getName()).containsExactly("thin");
            assertThat(roundTrip(moved, "again")).isEqualTo("again");
        }
    }

    @Test
    void leavesAProxyAsItWasWhenItCannotMoveToTheAddressAsked() throws IOException {
        Proxy proxy = client.createProxy("echo", "127.0.0.1:0", upstream());
        String listen = proxy.getListen();
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> proxy.setListen("127.0.0.1:" + taken.getLocalPort()))
                    .isInstanceOf(IOException.class).hasMessageContaining("500");
        }

        Proxy kept = client.getProxy("echo");
        assertThat(kept.getListen()).isEqualTo(listen);
        assertThat(kept.isEnabled()).isTrue();
        assertThat(roundTrip(kept, "still here")).isEqualTo("still here");
    }

    private String upstream() {
        return "127.0.0.1:" + echo.address().getPort();
    }

    private static Socket connect(Proxy proxy) throws IOException {
        String listen = proxy.getListen();
        return new Socket("127.0.0.1", Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1)));
    }

    /**
     * A connection through {@code proxy} that the proxy has accepted, shown by a byte echoed: one
     * still in the listener's backlog when the proxy closes or moves is reset, or never served.
     */
    private static Socket accepted(Proxy proxy) throws IOException {
        Socket socket = connect(proxy);
        socket.getOutputStream().write('x');
        assertThat(socket.getInputStream().read()).as("the byte echoed through the proxy").isEqualTo('x');
        return socket;
    }

    private static String roundTrip(Proxy proxy, String text) throws IOException {
        try (Socket socket = connect(proxy)) {
            socket.getOutputStream().write(text.getBytes());
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(text.length()));
        }
    }
}
