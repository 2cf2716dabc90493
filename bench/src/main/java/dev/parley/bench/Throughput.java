package dev.parley.bench;

/**
 * Messages per second of one contender with {@code clients} pipelining clients in one round, and
 * the CPU time and the counts of the whole process (clients and server together, as every
 * contender runs both in this JVM) per message.
 */
record Throughput(String contender, int clients, long messages, double perSecond, double cpuNanosPerMessage,
                  PerMessage perMessage) {
}
