package dev.parley.transport.udp.internal;

/**
 * What a connection's session hands its delivery thread through the {@link Inbox}, in order. A
 * {@code switch} over it is checked by the compiler: a new kind of event cannot go unhandled.
 * Immutable; made under the session lock, read by the delivery thread.
 */
sealed interface InboxEvent {

    /** The handshake completed: the handler's {@code onOpen} runs. */
    InboxEvent OPENED = new Opened();
    /** The peer's FIN came after all its frames: the connection is closed by the peer. */
    InboxEvent PEER_FINISHED = new PeerFinished();
    /** The session ended: the handler's {@code onClose} runs, and the delivery thread ends. */
    InboxEvent FINISHED = new Finished();

    /** See {@link #OPENED}. */
    record Opened() implements InboxEvent {
    }

    /** One reliable frame, delivered in order. */
    record Reliable(byte[] frame) implements InboxEvent {
    }

    /** Reliable frames that arrived together, delivered in order as the one array they came in. */
    record Batch(byte[][] frames) implements InboxEvent {
    }

    /** A frame sent unreliably, delivered as it came. */
    record Unreliable(byte[] frame) implements InboxEvent {
    }

    /** See {@link #PEER_FINISHED}. */
    record PeerFinished() implements InboxEvent {
    }

    /** See {@link #FINISHED}. */
    record Finished() implements InboxEvent {
    }
}
