package dev.parley.bench;

/**
 * One system under measurement (a raw socket, Parley over a transport, RMI, gRPC, ...): a server
 * started by the constructor's caller through {@link #start}, to which {@link #connect} opens
 * clients. Each contender echoes a small payload for {@link Client#roundTrip} and absorbs a stream
 * of them for {@link Client#pipeline}. Used by one benchmark thread at a time; its clients may be
 * used on other threads, one thread per client. An unstarted contender holds no resources, so
 * one may be made just to ask its {@link #name}.
 */
public interface Contender extends AutoCloseable {

    /** The name in reports, for example {@code "parley-tcp"}. */
    String name();

    /** Starts the server side on loopback with an ephemeral port. Called once, before {@link #connect}. */
    void start() throws Exception;

    /** Opens one more client to the server. */
    Client connect() throws Exception;

    /** Stops the server; called only after {@link #start}, once its clients are closed. */
    @Override
    void close() throws Exception;

    /** One connection of a {@link Contender}; used by a single thread. */
    interface Client extends AutoCloseable {

        /** Sends {@link Payloads#SMALL} and waits for the server's echo. */
        void roundTrip() throws Exception;

        /**
         * Sends {@code messages} payloads as fast as the library allows while keeping at most a
         * bounded number in flight, and returns once the server has handled them all.
         */
        void pipeline(int messages) throws Exception;

        @Override
        void close() throws Exception;
    }
}
