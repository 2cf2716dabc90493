package dev.parley;

/**
 * Handles one type of message arriving from a peer. Called on the thread that delivers that peer's
 * frames (see {@link dev.parley.transport.ConnectionHandler}): messages from one peer are handled
 * one at a time, in order; different peers concurrently. Blocking here holds up only this peer.
 * An exception is logged and the peer stays connected.
 *
 * @param <T> the message type
 */
@FunctionalInterface
public interface MessageHandler<T> {

    void handle(Peer peer, T message) throws Exception;
}
