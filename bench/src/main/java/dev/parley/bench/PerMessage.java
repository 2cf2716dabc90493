package dev.parley.bench;

/**
 * What one pipelined message cost the whole process (clients and server), counted rather than
 * timed, so the figures do not depend on the machine: a 2-core machine shows here the hand-offs
 * that become contention on many cores. {@code NaN} where a count could not be taken.
 *
 * @param wakeUps        context switches, voluntary and involuntary, of every thread of the
 *                       process (see {@link ProcessCounters})
 * @param allocatedBytes heap bytes allocated by every thread
 * @param syscalls       system calls entered by every thread, from {@code perf}'s
 *                       {@code raw_syscalls:sys_enter} tracepoint ({@link SyscallCounter}); NaN
 *                       where {@code perf} cannot count them
 * @param threadsExited  threads that ended during the measurement: their context switches after
 *                       the first snapshot are not counted, so a non-zero value flags an
 *                       under-count
 */
record PerMessage(double wakeUps, double allocatedBytes, double syscalls, int threadsExited) {

    /** Nothing counted: a contender measured where the counters are out of reach. */
    static final PerMessage UNKNOWN = new PerMessage(Double.NaN, Double.NaN, Double.NaN, 0);
}
