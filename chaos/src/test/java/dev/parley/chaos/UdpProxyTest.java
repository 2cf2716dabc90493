package dev.parley.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** UDP proxies forward datagrams both ways, apply their toxics, and are driven through the control API too. */
class UdpProxyTest {

    private DatagramSocket echo;
    private DatagramSocket client;
    private ChaosServer chaos;

    @BeforeEach
    void start() throws IOException {
        echo = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::echo);
        client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        client.setSoTimeout(300);
        chaos = ChaosServer.start(ChaosOptions.defaults());
    }

    @AfterEach
    void stop() {
        chaos.close();
        client.close();
        echo.close();
    }

    @Test
    void forwardsDatagramsBothWays() throws IOException {
        ChaosProxy proxy = chaos.createProxy("udp", Protocol.UDP, echoAddress());

        assertThat(roundTrip(proxy, "ping")).isEqualTo("ping");
        assertThat(proxy.connectionCount()).isEqualTo(1);
    }

    @Test
    void aPartitionInOneDirectionBlackholesItUntilRemoved() throws IOException {
        ChaosProxy proxy = chaos.createProxy("udp", Protocol.UDP, echoAddress());
        proxy.add(Toxic.of(ToxicType.PARTITION, Direction.DOWNSTREAM));

        assertThat(roundTrip(proxy, "lost")).isNull();
        proxy.remove("partition_downstream");
        assertThat(roundTrip(proxy, "found")).isEqualTo("found");
    }

    @Test
    void aDisabledProxyForgetsItsClientsAndForwardsNothingUntilEnabled() throws IOException {
        ChaosProxy proxy = chaos.createProxy("udp", Protocol.UDP, echoAddress());
        assertThat(roundTrip(proxy, "one")).isEqualTo("one");

        proxy.disable();

        assertThat(proxy.connectionCount()).isZero();
        assertThat(roundTrip(proxy, "two")).isNull();
        proxy.enable();
        assertThat(roundTrip(proxy, "three")).isEqualTo("three");
    }

    @Test
    void theControlApiCreatesUdpProxiesAndTheirToxics() throws Exception {
        var http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + chaos.controlAddress().getPort();

        var created = post(http, base + "/proxies", "{\"name\":\"udp\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:"
                + echo.getLocalPort() + "\",\"protocol\":\"udp\"}");
        var toxic = post(http, base + "/proxies/udp/toxics",
                "{\"type\":\"duplicate\",\"stream\":\"upstream\",\"attributes\":{\"probability\":1}}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).contains("\"protocol\":\"udp\"");
        assertThat(toxic.statusCode()).isEqualTo(200);
        assertThat(toxic.body()).isEqualTo("{\"name\":\"duplicate_upstream\",\"type\":\"duplicate\",\"stream\":\"upstream\","
                + "\"toxicity\":1,\"attributes\":{\"probability\":1}}");
        ChaosProxy proxy = chaos.proxy("udp").orElseThrow();
        assertThat(roundTrip(proxy, "twice")).isEqualTo("twice");
        assertThat(receive()).isEqualTo("twice");
    }

    private static HttpResponse<String> post(HttpClient http, String uri, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private InetSocketAddress echoAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort());
    }

    /** Sends {@code text} through the proxy and returns the echo, or null if none came within the timeout. */
    private String roundTrip(ChaosProxy proxy, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(data, data.length, proxy.listenAddress()));
        return receive();
    }

    private String receive() throws IOException {
        var packet = new DatagramPacket(new byte[1500], 1500);
        try {
            client.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private void echo() {
        var packet = new DatagramPacket(new byte[1500], 1500);
        while (!echo.isClosed()) {
            try {
                echo.receive(packet);
                echo.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }
}
