package dev.parley.chaos.im;

import dev.parley.transport.TransportOptions;

import java.time.Duration;

/**
 * What the tests that kill server processes share about those processes and their clients. Over
 * TCP the kernel reports a killed server at once, so a client there has no idle timeout, lest a
 * stall of a loaded machine be taken for a kill. Over UDP only silence tells of a kill: a client
 * keeps a short idle timeout, and the server processes send keepalives well within it
 * ({@link #SERVER_KEEPALIVE}, where the handshake alone would bring them down to a third of it),
 * so that a live server slow to answer, as a cold one on a loaded machine is, is not taken for
 * dead. Stateless.
 */
final class KilledServerClients {

    /** The {@code --keepalive} of the server processes. */
    static final String SERVER_KEEPALIVE = "300ms";

    private KilledServerClients() {
    }

    /** The options of a client over {@code transportName}, given those with a short idle timeout. */
    static TransportOptions options(String transportName, TransportOptions withShortIdleTimeout) {
        return transportName.equals("tcp") ? withShortIdleTimeout.toBuilder().idleTimeout(Duration.ZERO).build()
                : withShortIdleTimeout;
    }
}
