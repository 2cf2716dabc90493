package dev.parley.transport;

/**
 * A frame longer than the configured maximum, refused before any memory was set aside for it.
 * Sent by a peer, it is a {@link ConnectionClosedException.Reason#PROTOCOL_ERROR}; offered to
 * {@code send}, it is refused and the connection stays open.
 */
public final class FrameTooLongException extends IllegalArgumentException {

    private final long length;
    private final int maxFrameLength;

    public FrameTooLongException(long length, int maxFrameLength) {
        super("frame of " + length + " bytes exceeds the maximum frame length of " + maxFrameLength + " bytes");
        this.length = length;
        this.maxFrameLength = maxFrameLength;
    }

    /** The length that was offered or announced. */
    public long length() {
        return length;
    }

    /** The limit in force. */
    public int maxFrameLength() {
        return maxFrameLength;
    }
}
