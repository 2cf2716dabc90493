package dev.parley.transport;

/**
 * Receives the events of connections: opened, a frame arrived, closed.
 *
 * <p><b>Threads.</b> For any one connection the three methods are called one at a time, in order
 * ({@code onOpen}, then every {@code onFrame}, then {@code onClose} exactly once), on one thread
 * that serves that connection alone, the same thread for the connection's whole life. A handler
 * may block: that stops delivery on its own connection (which is backpressure, passed on to the
 * sender) and on no other. Different connections call the same handler concurrently.
 *
 * <p>An exception thrown by a handler method is logged by the transport and the connection is
 * aborted with {@link ConnectionClosedException.Reason#HANDLER_FAILED}.
 */
public interface ConnectionHandler {

    /** The connection is open and may be sent on. Default: nothing. */
    default void onOpen(Connection connection) {
    }

    /**
     * A whole frame arrived. The array belongs to the handler from now on.
     */
    void onFrame(Connection connection, byte[] frame);

    /**
     * The connection is closed; {@code cause} says why (a graceful close by either side is a
     * cause too). Called exactly once per opened connection. Default: nothing.
     */
    default void onClose(Connection connection, ConnectionClosedException cause) {
    }
}
