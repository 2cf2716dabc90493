package dev.parley.transport;

import java.util.Arrays;

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
     * A whole frame arrived, as the {@code length} bytes of {@code buffer} from {@code offset},
     * where the transport read it: they are the handler's only until this call returns, as the
     * transport then reads on into the same array. A transport calls this instead of
     * {@link #onFrame(Connection, byte[])} when a frame lies whole in what it read; a handler
     * done with the bytes when it returns (one that decodes them) overrides it to spare the copy
     * of every frame into an array of its own. Default: copies the bytes and calls
     * {@link #onFrame(Connection, byte[])}.
     */
    default void onFrame(Connection connection, byte[] buffer, int offset, int length) {
        onFrame(connection, Arrays.copyOfRange(buffer, offset, offset + length));
    }

    /**
     * The connection is closed; {@code cause} says why (a graceful close by either side is a
     * cause too). Called exactly once per opened connection. Default: nothing.
     */
    default void onClose(Connection connection, ConnectionClosedException cause) {
    }
}
