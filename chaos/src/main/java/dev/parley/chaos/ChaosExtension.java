package dev.parley.chaos;

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
 * A JUnit 5 extension that gives each test a started {@link ChaosServer} and stops it afterwards.
 * When the test fails, the seed is printed and attached to the failure, so the run can be replayed
 * with {@code -Dparley.chaos.seed=<seed>}.
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
 * control port); with the default options, each its own seed.
 */
public final class ChaosExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
        TestExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ChaosExtension.class);

    private final ChaosOptions options;
    private volatile ChaosServer current;

    /** An extension with {@link ChaosOptions#defaults()}, for {@code @ExtendWith}. */
    public ChaosExtension() {
        this(null);
    }

    private ChaosExtension(ChaosOptions options) {
        this.options = options;
    }

    /** An extension with {@link ChaosOptions#defaults()}, chosen afresh for each test. */
    public static ChaosExtension create() {
        return new ChaosExtension();
    }

    /** An extension whose servers run with {@code options}. */
    public static ChaosExtension create(ChaosOptions options) {
        return new ChaosExtension(Objects.requireNonNull(options, "options"));
    }

    /**
     * The server of the test running now.
     *
     * @throws IllegalStateException outside a test
     */
    public ChaosServer server() {
        ChaosServer server = current;
        if (server == null) {
            throw new IllegalStateException("no chaos server outside a test");
        }
        return server;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        try {
            current = ChaosServer.start(options != null ? options : ChaosOptions.defaults());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the chaos server", e);
        }
        context.getStore(NAMESPACE).put(ChaosServer.class, current);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ChaosServer server = context.getStore(NAMESPACE).remove(ChaosServer.class, ChaosServer.class);
        current = null;
        if (server != null) {
            server.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ChaosServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        ChaosServer server = context.getStore(NAMESPACE).get(ChaosServer.class, ChaosServer.class);
        if (server == null) {
            throw new ParameterResolutionException("the chaos server starts before each test, not for "
                    + parameter.getDeclaringExecutable());
        }
        return server;
    }

    /** Prints the seed and attaches it to the failure, then lets the failure go on. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        ChaosServer server = context.getStore(NAMESPACE).get(ChaosServer.class, ChaosServer.class);
        if (server != null) {
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
