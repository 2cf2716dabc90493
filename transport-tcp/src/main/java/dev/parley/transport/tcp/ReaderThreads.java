package dev.parley.transport.tcp;

import java.util.concurrent.Semaphore;

/**
 * The kind of thread that reads a TCP connection, decodes its frames and calls its
 * {@link dev.parley.transport.ConnectionHandler}: chosen per side with
 * {@link TcpTransport#withReaderThreads}.
 *
 * <p>A virtual thread costs a few hundred bytes while its connection is idle, so a server holds
 * tens of thousands of connections cheaply; but every frame that arrives wakes it through the
 * JDK's poller and then a carrier thread, which adds tens of microseconds to each round trip on a
 * quiet machine. A platform thread is woken by the kernel directly, at the price of a thread
 * stack (reserved, mostly not resident) and a kernel thread per connection. Hence the default,
 * {@link #PLATFORM} on both sides, with the cap below: the first few hundred connections of a
 * JVM, where the messages of most servers flow, take the fast path, and the thousands past them
 * are read by virtual threads.
 *
 * <p>Platform readers are capped: at most {@value #MAX_PLATFORM_READERS} run at once in a JVM,
 * and a connection that asks for one past that is read by a virtual thread instead, so that a
 * process that opens thousands of connections (a load generator, a gateway) does not create
 * thousands of kernel threads; the next connection after one of them ends gets a platform reader
 * again.
 *
 * <p>Where the system refuses a kernel thread (a process or memory limit), a connection that
 * asked for a platform reader is read by a virtual thread instead of failing.
 *
 * <p>Either way the reader is named {@code parley-tcp-reader-<id>-<remote address>}, a platform
 * reader is a daemon (it never keeps a JVM alive), and the reader ends when its connection closes
 * or is aborted.
 */
public enum ReaderThreads {

    /** A virtual thread per connection: cheap to hold idle; what every reader past the cap is. */
    VIRTUAL,

    /**
     * A daemon platform thread per connection, while fewer than {@value #MAX_PLATFORM_READERS}
     * run: the lowest latency and the fewest wake-ups; the default.
     */
    PLATFORM;

    /**
     * Platform readers that may run at once in this JVM, over all transports and sides: each costs
     * a kernel thread and tens of KiB of resident memory (its touched stack), a thousand times what
     * an idle virtual reader costs.
     */
    public static final int MAX_PLATFORM_READERS = 256;

    private static final Semaphore platformReaders = new Semaphore(MAX_PLATFORM_READERS);

    /**
     * Starts a reader thread called {@code name} that runs {@code task}: of this kind, or virtual
     * if this is {@link #PLATFORM} and {@value #MAX_PLATFORM_READERS} platform readers run already.
     */
    Thread start(String name, Runnable task) {
        if (this == PLATFORM && platformReaders.tryAcquire()) {
            try {
                return Thread.ofPlatform().daemon().name(name).start(() -> {
                    try {
                        task.run();
                    } finally {
                        platformReaders.release();
                    }
                });
            } catch (OutOfMemoryError e) {
                // The system has no kernel thread to spare (a process or memory limit): a virtual
                // reader serves the connection as well, only with more wake-ups.
                platformReaders.release();
            } catch (RuntimeException | Error e) {
                platformReaders.release(); // the thread never started
                throw e;
            }
        }
        return Thread.ofVirtual().name(name).start(task);
    }
}
