package dev.parley.rpc;

/** The remote method threw; {@link #fault()} has the exception's type name and message. */
public final class RemoteFaultException extends RemoteException {

    private final Fault fault;

    public RemoteFaultException(String method, Fault fault) {
        super(method + " failed remotely with " + fault.type()
                + (fault.message().isEmpty() ? "" : ": " + fault.message()));
        this.fault = fault;
    }

    /** What the remote side reported. */
    public Fault fault() {
        return fault;
    }
}
