package dev.parley.rpc;

/**
 * A remote call did not return a value: the remote method threw ({@link RemoteFaultException}),
 * the deadline passed ({@link RemoteTimeoutException}), or the connection closed or refused the
 * call (the cause says which). Thrown by blocking proxy methods; the exceptional result of
 * {@code CompletableFuture} ones.
 */
public class RemoteException extends RuntimeException {

    public RemoteException(String message, Throwable cause) {
        super(message, cause);
    }

    public RemoteException(String message) {
        super(message);
    }
}
