package dev.parley.rpc;

import java.time.Duration;

/** No answer came before the call's deadline; the remote method may still have run. */
public final class RemoteTimeoutException extends RemoteException {

    public RemoteTimeoutException(String method, Duration deadline) {
        super(method + " got no answer within its deadline of " + deadline.toMillis() + " ms");
    }
}
