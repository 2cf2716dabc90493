package dev.parley.transport.tcp;

/**
 * The kind of thread that reads a TCP connection, decodes its frames and calls its
 * {@link dev.parley.transport.ConnectionHandler}: chosen per side with
 * {@link TcpTransport#withReaderThreads}.
 *
 * <p>A virtual thread costs a few hundred bytes while its connection is idle, so a server holds
 * tens of thousands of connections cheaply; but every frame that arrives wakes it through the
 * JDK's poller and then a carrier thread, which adds tens of microseconds to each round trip on a
 * quiet machine. A platform thread is woken by the kernel directly, at the price of a thread
 * stack (reserved, mostly not resident) and a kernel thread per connection. Hence the defaults:
 * {@link #PLATFORM} for the connections a process {@code connect}s (clients, with few connections
 * each, where latency shows), {@link #VIRTUAL} for those a listener accepts.
 *
 * <p>Either way the reader is named {@code parley-tcp-reader-<id>-<remote address>}, a platform
 * reader is a daemon (it never keeps a JVM alive), and the reader ends when its connection closes
 * or is aborted.
 */
public enum ReaderThreads {

    /** A virtual thread per connection: cheap to hold idle; the default for accepted connections. */
    VIRTUAL,

    /** A daemon platform thread per connection: the lowest latency; the default for connected ones. */
    PLATFORM;

    /** An unstarted thread of this kind, called {@code name}, that runs {@code task}. */
    Thread unstarted(String name, Runnable task) {
        Thread.Builder builder = this == PLATFORM ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        return builder.name(name).unstarted(task);
    }
}
