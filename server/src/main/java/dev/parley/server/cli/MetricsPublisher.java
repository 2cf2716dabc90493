package dev.parley.server.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.server.ImServer;
import dev.parley.server.ImServerMetrics;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.ITypeConverter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * What {@code parley server --metrics HOST:PORT} and {@code --jmx} publish: the server's meters
 * ({@link ImServerMetrics}) and the JVM's (memory, garbage collection, threads, class loading, CPU,
 * uptime), in Prometheus's text format at {@code http://HOST:PORT/metrics}, and as MBeans in the
 * platform MBean server under the domain {@value #JMX_DOMAIN}.
 *
 * <p>The HTTP endpoint answers {@code GET /metrics} (and {@code HEAD}) on the JDK's own HTTP server,
 * one request at a time on its dispatcher thread: a scrape every few seconds is what it is for, and
 * it shares nothing with the threads that serve clients. Other paths get 404, other methods 405.
 * {@link #close()} stops both. Not thread-safe: started and closed by the command's thread (or its
 * shutdown hook).
 */
final class MetricsPublisher implements AutoCloseable {

    /** Where {@code --metrics HOST} alone serves: the port Prometheus exporters of OpenTelemetry use. */
    static final int DEFAULT_PORT = 9464;
    static final String PATH = "/metrics";
    static final String JMX_DOMAIN = "parley";
    /** Prometheus's text exposition format. */
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final CompositeMeterRegistry registry;
    private final HttpServer http;
    private boolean closed;

    private MetricsPublisher(CompositeMeterRegistry registry, HttpServer http) {
        this.registry = registry;
        this.http = http;
    }

    /**
     * Publishes {@code server}'s meters over HTTP at {@code address} (none if null) and over JMX if
     * {@code jmx}.
     *
     * @throws IOException if {@code address} cannot be bound
     */
    static MetricsPublisher start(ImServer server, InetSocketAddress address, boolean jmx) throws IOException {
        var registry = new CompositeMeterRegistry();
        HttpServer http = null;
        try {
            if (address != null) {
                var prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                registry.add(prometheus);
                http = HttpServer.create(address, 0);
                http.createContext("/", exchange -> answer(exchange, prometheus));
                http.start();
            }
            if (jmx) {
                registry.add(new JmxMeterRegistry(new JmxConfig() {
                    @Override
                    public String get(String key) {
                        return null;
                    }

                    @Override
                    public String domain() {
                        return JMX_DOMAIN;
                    }
                }, Clock.SYSTEM));
            }
            bind(registry, server);
            return new MetricsPublisher(registry, http);
        } catch (IOException | RuntimeException e) {
            if (http != null) {
                http.stop(0);
            }
            registry.close();
            throw e;
        }
    }

    /** The address the HTTP endpoint is bound to (its port chosen if 0 was asked for). */
    InetSocketAddress httpAddress() {
        return http.getAddress();
    }

    /** Stops the HTTP endpoint and takes the MBeans back. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.stop(0);
        }
        registry.close();
    }

    private static void bind(MeterRegistry registry, ImServer server) {
        new ImServerMetrics(server).bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private static void answer(HttpExchange exchange, PrometheusMeterRegistry prometheus) throws IOException {
        try (exchange) {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found: the metrics are at " + PATH + "\n", method);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", method + " is not allowed: use GET\n", method);
            } else {
                send(exchange, 200, CONTENT_TYPE, prometheus.scrape(), method);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Reads {@code --metrics HOST:PORT}, or {@code HOST} alone meaning port {@value #DEFAULT_PORT}. */
    static final class Address implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            return Addresses.parse(value, DEFAULT_PORT);
        }
    }
}
