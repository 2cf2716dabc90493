package dev.parley.transport.udp.internal;

import java.util.List;

/**
 * A decoded packet; see {@link PacketCodec} for the bytes. Immutable values; any thread.
 */
public sealed interface Packet {

    /** The connection id of the receiver (0 in an INITIAL, whose receiver has none yet). */
    long connectionId();

    /** The sender's packet number; RETRY, ACCEPT and REFUSED echo the INITIAL's. */
    long packetNumber();

    /**
     * Client to server: opens a connection, with the cookie from a RETRY once it has one, and
     * tells the server the client's {@link TransportParameters}.
     */
    record Initial(long connectionId, long packetNumber, long sourceConnectionId, TransportParameters parameters,
                   byte[] cookie) implements Packet {
    }

    /** Server to client, statelessly: prove your address by sending this cookie back. */
    record Retry(long connectionId, long packetNumber, byte[] cookie) implements Packet {
    }

    /**
     * Server to client: the connection exists; address later packets to {@code serverConnectionId};
     * the server's {@link TransportParameters} are these.
     */
    record Accept(long connectionId, long packetNumber, long serverConnectionId, TransportParameters parameters)
            implements Packet {
    }

    /** Server to client: the cookie was good but the server will not take the connection. */
    record Refused(long connectionId, long packetNumber) implements Packet {
    }

    /** Everything after the handshake; {@code frames} is kept as given, so pass a list nobody changes. */
    record Data(long connectionId, long packetNumber, List<Frame> frames) implements Packet {

        /** Whether any frame needs an acknowledgement. */
        public boolean ackEliciting() {
            for (Frame f : frames) {
                if (f.ackEliciting()) {
                    return true;
                }
            }
            return false;
        }
    }
}
