package dev.parley.examples.counter;

/**
 * A count of connections, shared by every thread that handles one. {@link RacyCounter} is the
 * lesson's bug; {@link AtomicCounter} and {@link LockedCounter} are its two fixes.
 */
public interface Counter {

    /** Adds one and returns the new count. */
    int increment();
}
