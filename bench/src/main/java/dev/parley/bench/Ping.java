package dev.parley.bench;

/** The message of the Parley messaging benchmark: a payload, and whether the server echoes it. */
record Ping(byte[] payload, boolean echo) {
}
