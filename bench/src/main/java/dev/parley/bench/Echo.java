package dev.parley.bench;

import java.util.concurrent.CompletableFuture;

/**
 * The remote interface of the remote-call benchmarks (Parley remote calls, Java RMI). Public so
 * that proxies of it can be made from any class loader; the server runs it on the library's call
 * threads.
 */
public interface Echo extends java.rmi.Remote {

    /** Returns {@code payload}. */
    byte[] echo(byte[] payload) throws java.rmi.RemoteException;

    /** Returns {@code payload}, completing at once; lets a client keep many calls in flight. */
    CompletableFuture<byte[]> echoAsync(byte[] payload) throws java.rmi.RemoteException;
}
