package dev.parley.transport;

/**
 * A peer announced a frame for which its listener had no room left: the frames other connections
 * have under way already hold {@link TransportOptions#maxUnfinishedFrameBytes()}. The connection
 * closes with {@link ConnectionClosedException.Reason#OVERLOADED}; the others carry on.
 */
public final class FrameBudgetExceededException extends IllegalStateException {

    private final int length;

    public FrameBudgetExceededException(int length, String budget) {
        super("no room for a frame of " + length + " bytes: frames under way on this listener's connections"
                + " already hold " + budget + " (maxUnfinishedFrameBytes)");
        this.length = length;
    }

    /** The length the peer announced. */
    public int length() {
        return length;
    }
}
