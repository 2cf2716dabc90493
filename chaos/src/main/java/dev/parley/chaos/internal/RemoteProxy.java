package dev.parley.chaos.internal;

import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A TCP proxy on a server that speaks Toxiproxy's HTTP API (a real Toxiproxy), driven over HTTP.
 * Answers 404, 409 and 400 become the exceptions {@link ChaosProxy} documents; a failure to reach
 * the server becomes an {@link UncheckedIOException}. Thread-safe: every call is one request.
 */
public final class RemoteProxy implements ChaosProxy {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final URI base;
    private final String name;
    private final String upstream;
    private final InetSocketAddress clientAddress;

    /**
     * Creates the proxy on the server at {@code control} (POST /proxies).
     *
     * @param listen        where the server listens, as the server sees it
     * @param clientAddress where clients on this machine reach that listening address
     */
    public static RemoteProxy create(HttpClient http, URI control, String name, String listen, String upstream,
                                     InetSocketAddress clientAddress) throws IOException {
        var body = Map.of("name", name, "listen", listen, "upstream", upstream, "enabled", true);
        request(http, "POST", control.resolve("/proxies"), Json.write(body));
        return new RemoteProxy(http, control, name, upstream, clientAddress);
    }

    private RemoteProxy(HttpClient http, URI control, String name, String upstream, InetSocketAddress clientAddress) {
        this.http = http;
        this.base = control.resolve("/proxies/" + name);
        this.name = name;
        this.upstream = upstream;
        this.clientAddress = clientAddress;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Protocol protocol() {
        return Protocol.TCP;
    }

    @Override
    public InetSocketAddress listenAddress() {
        return clientAddress;
    }

    @Override
    public String upstream() {
        return upstream;
    }

    @Override
    public int connectionCount() {
        return -1;
    }

    @Override
    public boolean isEnabled() {
        return Boolean.TRUE.equals(object(call("GET", base, null)).get("enabled"));
    }

    @Override
    public void enable() throws IOException {
        request(http, "POST", base, "{\"enabled\":true}");
    }

    @Override
    public void disable() {
        call("POST", base, "{\"enabled\":false}");
    }

    @Override
    public Toxic add(Toxic toxic) {
        call("POST", URI.create(base + "/toxics"), Json.write(ToxicJson.write(toxic)));
        return toxic;
    }

    @Override
    public Toxic update(Toxic toxic) {
        call("POST", URI.create(base + "/toxics/" + toxic.name()), Json.write(ToxicJson.write(toxic)));
        return toxic;
    }

    @Override
    public void remove(String toxicName) {
        call("DELETE", URI.create(base + "/toxics/" + toxicName), null);
    }

    @Override
    public List<Toxic> toxics() {
        var toxics = new ArrayList<Toxic>();
        if (Json.parse(call("GET", URI.create(base + "/toxics"), null)) instanceof List<?> list) {
            for (Object item : list) {
                @SuppressWarnings("unchecked")
                var json = (Map<String, Object>) item;
                toxics.add(ToxicJson.read(json));
            }
        }
        return toxics;
    }

    /** Whether a real Toxiproxy knows {@code type}: every TCP type but this kit's partition. */
    public static boolean knows(ToxicType type) {
        return type.protocols().contains(Protocol.TCP) && type != ToxicType.PARTITION;
    }

    private String call(String method, URI uri, String body) {
        try {
            return request(http, method, uri, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    private static String request(HttpClient http, String method, URI uri, String body) throws IOException {
        var request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(method + " " + uri + " interrupted");
        }
        String message = method + " " + uri + ": " + response.statusCode() + " " + response.body();
        return switch (response.statusCode() / 100 == 2 ? 200 : response.statusCode()) {
            case 200 -> response.body();
            case 404 -> throw new NoSuchElementException(message);
            case 409 -> throw new IllegalStateException(message);
            case 400 -> throw new IllegalArgumentException(message);
            default -> throw new IOException(message);
        };
    }
}
