package dev.parley.bench;

/** The message of the under-loss benchmark: when it was sent ({@link System#nanoTime}) and a payload. */
record Stamp(long sentNanos, byte[] payload) {
}
