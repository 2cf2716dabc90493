package dev.parley.chaos;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A JUnit 5 extension that gives each test a started {@link ChaosServer} (as a parameter of that
 * type or of type {@link FaultProxies}) and stops it afterwards. When the test fails, the seed is
 * printed and attached to the failure, so the run can be replayed with
 * {@code -Dparley.chaos.seed=<seed>}.
 *
 * <p>Asked with {@link #toxiproxyContainer(String)}, it gives a real Toxiproxy in a container
 * instead, as {@link FaultProxies}, and skips the test where no Docker engine answers.
 *
 * <pre>{@code
 * @ExtendWith(ChaosExtension.class)
 * class MyAppTest {
 *     @Test
 *     void survivesLatency(ChaosServer chaos) throws IOException {
 *         ChaosProxy proxy = chaos.createProxy("app", Protocol.TCP, server.address());
 *         proxy.add(Toxic.of(ToxicType.LATENCY, Direction.DOWNSTREAM).with("latency", 100));
 *         ...
 *     }
 * }
 *
 * // or, to choose the options or reach the server from fields:
 * @RegisterExtension
 * final ChaosExtension chaos = ChaosExtension.create(ChaosOptions.defaults().withSeed(42));
 * }</pre>
 *
 * <p>JUnit calls it on the test's thread. Each test has its own server (a fresh proxy list and
 * control port, or a fresh container); with the default options, each its own seed.
 */
public final class ChaosExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
        TestExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ChaosExtension.class);

    private final ChaosOptions options;
    private final String toxiproxyImage;
    private volatile FaultProxies current;

    /** An extension with {@link ChaosOptions#defaults()}, for {@code @ExtendWith}. */
    public ChaosExtension() {
        this(null, null);
    }

    private ChaosExtension(ChaosOptions options, String toxiproxyImage) {
        this.options = options;
        this.toxiproxyImage = toxiproxyImage;
    }

    /** An extension with {@link ChaosOptions#defaults()}, chosen afresh for each test. */
    public static ChaosExtension create() {
        return new ChaosExtension();
    }

    /** An extension whose servers run with {@code options}. */
    public static ChaosExtension create(ChaosOptions options) {
        return new ChaosExtension(Objects.requireNonNull(options, "options"), null);
    }

    /**
     * An extension whose tests get a real Toxiproxy of {@code image} (for example
     * {@link ToxiproxyContainerProxies#DEFAULT_IMAGE}) in a container, one per test; tests are
     * skipped where no Docker engine answers. Needs {@code testcontainers-toxiproxy} on the class path.
     */
    public static ChaosExtension toxiproxyContainer(String image) {
        return new ChaosExtension(null, Objects.requireNonNull(image, "image"));
    }

    /**
     * The proxies of the test running now.
     *
     * @throws IllegalStateException outside a test
     */
    public FaultProxies proxies() {
        FaultProxies proxies = current;
        if (proxies == null) {
            throw new IllegalStateException("no fault proxies outside a test");
        }
        return proxies;
    }

    /**
     * The chaos server of the test running now.
     *
     * @throws IllegalStateException outside a test, or if this extension gives a real Toxiproxy
     */
    public ChaosServer server() {
        if (!(proxies() instanceof ChaosServer server)) {
            throw new IllegalStateException("this extension gives a real Toxiproxy, not a chaos server");
        }
        return server;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (toxiproxyImage != null) {
            Assumptions.assumeTrue(ToxiproxyContainerProxies.dockerAvailable(),
                    "no Docker engine answers, so no Toxiproxy container can start");
            current = ToxiproxyContainerProxies.start(toxiproxyImage);
        } else {
            try {
                current = ChaosServer.start(options != null ? options : ChaosOptions.defaults());
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the chaos server", e);
            }
        }
        context.getStore(NAMESPACE).put(FaultProxies.class, current);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        FaultProxies proxies = context.getStore(NAMESPACE).remove(FaultProxies.class, FaultProxies.class);
        current = null;
        if (proxies != null) {
            proxies.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == FaultProxies.class || type == ChaosServer.class && toxiproxyImage == null;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        FaultProxies proxies = context.getStore(NAMESPACE).get(FaultProxies.class, FaultProxies.class);
        if (proxies == null) {
            throw new ParameterResolutionException("the proxies start before each test, not for "
                    + parameter.getDeclaringExecutable());
        }
        return proxies;
    }

    /** Prints the seed and attaches it to the failure, then lets the failure go on. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        FaultProxies server = context.getStore(NAMESPACE).get(FaultProxies.class, FaultProxies.class);
        if (server instanceof ChaosServer) {
            String replay = replayHint(server.seed());
            System.err.println(context.getDisplayName() + " failed; " + replay);
            context.publishReportEntry(ChaosOptions.SEED_PROPERTY, Long.toString(server.seed()));
            failure.addSuppressed(new ChaosSeed(replay));
        }
        throw failure;
    }

    /** The sentence that says how to replay a run with {@code seed}. */
    public static String replayHint(long seed) {
        return "parley-chaos seed " + seed + " (replay with -D" + ChaosOptions.SEED_PROPERTY + "=" + seed + ")";
    }

    /** Carries the seed of a failed test in its stack trace; never thrown on its own. */
    private static final class ChaosSeed extends Exception {
        ChaosSeed(String message) {
            super(message, null, false, false);
        }
    }
}
