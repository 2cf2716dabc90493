package dev.parley.server.store;

/** A store could not do what was asked: the conversation does not exist, or its files could not be written. */
public final class StoreException extends Exception {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
