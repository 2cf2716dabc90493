package dev.parley.chaos.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.ChaosServer;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Toxic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Toxiproxy's HTTP control API over a {@link ChaosServer}, on the JDK's HTTP server:
 *
 * <pre>
 * GET    /version                          {version}, as Toxiproxy 2.7 and later answer
 * POST   /reset                            enable every proxy, remove every toxic; 204
 * POST   /populate                         [proxy, ...]: create each, replacing one of the same name
 *                                          whose listen or upstream differs; 201 {proxies: [proxy, ...]}
 * GET    /proxies                          {name: proxy, ...}
 * POST   /proxies                          {name, listen, upstream, enabled?, protocol?}; 201
 * GET    /proxies/{proxy}                  proxy
 * PATCH  /proxies/{proxy}                  {listen?, upstream?, enabled?}: a new listen address or upstream
 *                                          restarts the proxy there, keeping its toxics; the proxy
 *                                          (POST too, as Toxiproxy still accepts)
 * DELETE /proxies/{proxy}                  204
 * GET    /proxies/{proxy}/toxics           [toxic, ...]
 * POST   /proxies/{proxy}/toxics           {name?, type, stream?, toxicity?, attributes?}; the toxic
 * GET    /proxies/{proxy}/toxics/{toxic}   toxic
 * PATCH  /proxies/{proxy}/toxics/{toxic}   {stream?, toxicity?, attributes?}, merged; the toxic (POST too)
 * DELETE /proxies/{proxy}/toxics/{toxic}   204
 * </pre>
 *
 * A proxy is {@code {name, listen, upstream, enabled, protocol, toxics}} and a toxic
 * {@code {name, type, stream, toxicity, attributes}}; {@code protocol} ({@code "tcp"} by default,
 * or {@code "udp"}) is this kit's extension. Errors are {@code {error, status}}, with 400 for a bad
 * request, 404 for an unknown proxy or toxic and 409 for a name taken, as Toxiproxy answers.
 *
 * <p>Requests are served on virtual threads, one per exchange.
 */
public final class ControlApi implements AutoCloseable {

    /** What {@code GET /version} answers. */
    public static final String VERSION = "parley-chaos 0.1.0 (Toxiproxy-compatible API)";

    private static final Logger log = LoggerFactory.getLogger(ControlApi.class);
    private static final int MAX_BODY = 64 * 1024;

    private final ChaosServer chaos;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private ControlApi(ChaosServer chaos, InetSocketAddress address) throws IOException {
        this.chaos = chaos;
        this.http = HttpServer.create(address, 0);
        http.setExecutor(executor);
        http.createContext("/", this::serve);
        http.start();
    }

    /** Starts serving {@code chaos} at {@code address}. */
    public static ControlApi start(ChaosServer chaos, InetSocketAddress address) throws IOException {
        return new ControlApi(chaos, address);
    }

    /** The address bound. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** Stops serving at once. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    private record Answer(int status, Object body) {
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                answer = route(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body(exchange));
            } catch (NoSuchElementException e) {
                answer = error(404, e.getMessage());
            } catch (IllegalStateException e) {
                answer = error(409, e.getMessage());
            } catch (IllegalArgumentException | ClassCastException e) {
                answer = error(400, e.getMessage());
            } catch (IOException e) {
                answer = error(500, e.getMessage());
            }
            respond(exchange, answer);
        } catch (RuntimeException e) {
            log.warn("control API: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        }
    }

    private Answer route(String method, String path, Object body) throws IOException {
        String[] parts = path.replaceAll("/+$", "").split("/");
        String route = method + " " + String.join("/", List.of(parts).subList(0, Math.min(parts.length, 2)))
                + "/".repeat(Math.max(0, parts.length - 2));
        return switch (route) {
            case "GET /version" -> new Answer(200, Map.of("version", VERSION));
            case "POST /reset" -> {
                chaos.reset();
                yield new Answer(204, null);
            }
            case "GET /proxies" -> {
                var all = new LinkedHashMap<String, Object>();
                chaos.proxies().forEach(p -> all.put(p.name(), proxyJson(p)));
                yield new Answer(200, all);
            }
            case "POST /populate" -> new Answer(201, Map.of("proxies", populate(body).stream().map(ControlApi::proxyJson).toList()));
            case "POST /proxies" -> new Answer(201, proxyJson(create(object(body))));
            case "GET /proxies/" -> new Answer(200, proxyJson(proxy(parts[2])));
            case "POST /proxies/", "PATCH /proxies/" -> new Answer(200, proxyJson(updateProxy(proxy(parts[2]), object(body))));
            case "DELETE /proxies/" -> {
                chaos.delete(parts[2]);
                yield new Answer(204, null);
            }
            case "GET /proxies//", "POST /proxies//" -> {
                requireToxics(parts);
                ChaosProxy proxy = proxy(parts[2]);
                yield method.equals("GET")
                        ? new Answer(200, proxy.toxics().stream().map(ToxicJson::write).toList())
                        : new Answer(200, ToxicJson.write(proxy.add(ToxicJson.read(object(body)))));
            }
            case "GET /proxies///", "POST /proxies///", "PATCH /proxies///", "DELETE /proxies///" -> {
                requireToxics(parts);
                ChaosProxy proxy = proxy(parts[2]);
                Toxic toxic = proxy.toxics().stream().filter(t -> t.name().equals(parts[4])).findFirst()
                        .orElseThrow(() -> new NoSuchElementException("toxic not found: " + parts[4]));
                yield switch (method) {
                    case "GET" -> new Answer(200, ToxicJson.write(toxic));
                    case "POST", "PATCH" -> new Answer(200, ToxicJson.write(proxy.update(ToxicJson.merge(toxic, object(body)))));
                    default -> {
                        proxy.remove(toxic.name());
                        yield new Answer(204, null);
                    }
                };
            }
            default -> throw new NoSuchElementException("no such endpoint: " + method + " " + path);
        };
    }

    /**
     * Toxiproxy's {@code POST /populate}: every entry is checked before any proxy changes; a proxy of
     * the same name is kept if its listen address and upstream are those asked for (its enabled
     * state set as asked), and replaced otherwise.
     */
    private List<ChaosProxy> populate(Object body) throws IOException {
        if (!(body instanceof List<?> entries)) {
            throw new IllegalArgumentException("the request body must be a JSON array of proxies");
        }
        List<Map<String, Object>> specs = new ArrayList<>();
        for (Object entry : entries) {
            Map<String, Object> spec = object(entry);
            required(spec, "name");
            required(spec, "listen");
            required(spec, "upstream");
            Protocol.fromWireName((String) spec.getOrDefault("protocol", "tcp"));
            specs.add(spec);
        }
        List<ChaosProxy> populated = new ArrayList<>();
        for (Map<String, Object> spec : specs) {
            Optional<ChaosProxy> existing = chaos.proxy(required(spec, "name"));
            if (existing.isPresent() && Addresses.format(existing.get().listenAddress()).equals(spec.get("listen"))
                    && existing.get().upstream().equals(spec.get("upstream"))) {
                populated.add(updateProxy(existing.get(), Map.of("enabled", spec.getOrDefault("enabled", true))));
                continue;
            }
            existing.ifPresent(proxy -> chaos.delete(proxy.name()));
            populated.add(create(spec));
        }
        return populated;
    }

    private ChaosProxy create(Map<String, Object> body) throws IOException {
        String protocol = (String) body.getOrDefault("protocol", "tcp");
        ChaosProxy proxy = chaos.createProxy(required(body, "name"), Protocol.fromWireName(protocol),
                required(body, "listen"), required(body, "upstream"));
        if (Boolean.FALSE.equals(body.get("enabled"))) {
            proxy.disable();
        }
        return proxy;
    }

    /**
     * Toxiproxy's proxy update: {@code enabled} switches the proxy; a {@code listen} or
     * {@code upstream} other than its own restarts it there (open connections close, as in
     * Toxiproxy), with the same toxics.
     */
    private ChaosProxy updateProxy(ChaosProxy proxy, Map<String, Object> body) throws IOException {
        for (String key : body.keySet()) {
            if (!List.of("name", "listen", "upstream", "enabled").contains(key)) {
                throw new IllegalArgumentException("a proxy's 'listen', 'upstream' and 'enabled' can be changed, not '" + key + "'");
            }
        }
        String listen = body.containsKey("listen") ? required(body, "listen") : Addresses.format(proxy.listenAddress());
        String upstream = body.containsKey("upstream") ? required(body, "upstream") : proxy.upstream();
        ChaosProxy updated = proxy;
        String oldListen = Addresses.format(proxy.listenAddress());
        if (!listen.equals(oldListen) || !upstream.equals(proxy.upstream())) {
            var was = new ProxyState(proxy.name(), proxy.protocol(), List.copyOf(proxy.toxics()), proxy.isEnabled());
            chaos.delete(proxy.name());
            try {
                updated = recreate(was, listen, upstream);
            } catch (IOException | RuntimeException e) {
                recreate(was, oldListen, proxy.upstream()); // as it was: a failed edit changes nothing
                throw e;
            }
        }
        if (Boolean.TRUE.equals(body.get("enabled"))) {
            updated.enable();
        } else if (Boolean.FALSE.equals(body.get("enabled"))) {
            updated.disable();
        }
        return updated;
    }

    /** What a proxy restarted elsewhere keeps. */
    private record ProxyState(String name, Protocol protocol, List<Toxic> toxics, boolean enabled) {
    }

    /** A proxy as {@code state} says, at {@code listen}, forwarding to {@code upstream}. */
    private ChaosProxy recreate(ProxyState state, String listen, String upstream) throws IOException {
        ChaosProxy created = chaos.createProxy(state.name(), state.protocol(), listen, upstream);
        state.toxics().forEach(created::add);
        if (!state.enabled()) {
            created.disable();
        }
        return created;
    }

    private static Map<String, Object> proxyJson(ChaosProxy proxy) {
        var json = new LinkedHashMap<String, Object>();
        json.put("name", proxy.name());
        json.put("listen", Addresses.format(proxy.listenAddress()));
        json.put("upstream", proxy.upstream());
        json.put("enabled", proxy.isEnabled());
        json.put("protocol", proxy.protocol().wireName());
        json.put("toxics", proxy.toxics().stream().map(ToxicJson::write).toList());
        return json;
    }

    private ChaosProxy proxy(String name) {
        return chaos.proxy(name).orElseThrow(() -> new NoSuchElementException("proxy not found: " + name));
    }

    private static void requireToxics(String[] parts) {
        if (!parts[3].equals("toxics")) {
            throw new NoSuchElementException("no such endpoint: /proxies/" + parts[2] + "/" + parts[3]);
        }
    }

    private static String required(Map<String, Object> body, String key) {
        if (!(body.get(key) instanceof String value)) {
            throw new IllegalArgumentException("missing field '" + key + "'");
        }
        return value;
    }

    private static Answer error(int status, String message) {
        var json = new LinkedHashMap<String, Object>();
        json.put("error", message);
        json.put("status", status);
        return new Answer(status, json);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object body) {
        if (!(body instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("the request body must be a JSON object");
        }
        return (Map<String, Object>) map;
    }

    private static Object body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IllegalArgumentException("request body longer than " + MAX_BODY + " bytes");
            }
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Map.of() : Json.parse(text);
        }
    }

    private static void respond(HttpExchange exchange, Answer answer) throws IOException {
        if (answer.body() == null) {
            exchange.sendResponseHeaders(answer.status(), -1);
            return;
        }
        boolean text = answer.body() instanceof String;
        byte[] bytes = (text ? (String) answer.body() + "\n" : Json.write(answer.body())).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", text ? "text/plain; charset=utf-8" : "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
