package dev.parley.bench;

/** The payloads every contender carries, so all of them move the same bytes. */
final class Payloads {

    /** The small message of the latency and throughput benchmarks: 32 bytes. */
    static final byte[] SMALL = new byte[32];

    /** Most messages a pipelining client keeps in flight. */
    static final int WINDOW = 256;

    private Payloads() {
    }
}
