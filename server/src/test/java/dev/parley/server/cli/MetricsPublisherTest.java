package dev.parley.server.cli;

import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code parley server --metrics HOST:PORT --jmx} serves: Prometheus text over HTTP, and MBeans. */
class MetricsPublisherTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private ImServer server;
    private MetricsPublisher metrics;

    @BeforeEach
    void start() throws Exception {
        server = ImServer.start(Transport.byName("tcp"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.defaults());
        metrics = MetricsPublisher.start(server, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), true);
    }

    @AfterEach
    void stop() {
        metrics.close();
        server.close();
        http.close();
    }

    @Test
    void servesTheServersAndTheJvmsMetricsInPrometheusText() throws Exception {
        HttpResponse<String> response = get("GET", MetricsPublisher.PATH);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body().lines())
                .contains("parley_connections{transport=\"tcp\"} 0.0",
                        "parley_messages_accepted_total{transport=\"tcp\"} 0.0",
                        "parley_refusals_total{cause=\"rate-limited\",transport=\"tcp\"} 0.0",
                        "parley_frames_total{direction=\"in\",transport=\"tcp\"} 0.0")
                .anyMatch(line -> line.startsWith("jvm_memory_used_bytes{"))
                .anyMatch(line -> line.startsWith("process_uptime_seconds "));
    }

    @Test
    void answersOtherPathsWith404AndOtherMethodsWith405() throws Exception {
        assertThat(get("GET", "/").statusCode()).isEqualTo(404);
        HttpResponse<String> post = get("POST", MetricsPublisher.PATH);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void publishesTheSameMetersAsMBeansAndTakesThemBackWhenClosed() throws Exception {
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        ObjectName parley = new ObjectName(MetricsPublisher.JMX_DOMAIN + ":*");

        Set<ObjectName> names = beans.queryNames(parley, null);
        assertThat(names).extracting(ObjectName::getKeyPropertyListString)
                .anyMatch(name -> name.contains("parleyUsersOnline"));

        metrics.close();
        assertThat(beans.queryNames(parley, null)).isEmpty();
    }

    private HttpResponse<String> get(String method, String path) throws Exception {
        InetSocketAddress address = metrics.httpAddress();
        var request = HttpRequest.newBuilder(URI.create("http://" + Addresses.format(address) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
