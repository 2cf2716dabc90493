package dev.parley.transport;

/**
 * The service a transport module registers (in {@code META-INF/services} and, on the module path,
 * with {@code provides}) so that {@link Transport#byName} can find it.
 *
 * <p>Providers need a public no-argument constructor and must be cheap to create: the service
 * loader instantiates every provider on each lookup.
 */
public interface TransportProvider {

    /** The lower-case name users choose this transport by. */
    String name();

    /** Creates a transport that uses {@code options} for every listener and connection. */
    Transport create(TransportOptions options);
}
