package dev.parley.bench;

import java.rmi.NoSuchObjectException;
import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;

/**
 * Java RMI: the {@link Echo} object exported on an ephemeral loopback port, its stub handed to
 * clients directly (no registry). Calls from the same JVM still cross the loopback socket. RMI has
 * no asynchronous calls, so a pipelined run is a series of blocking calls: the throughput a
 * developer gets from one RMI client thread.
 */
final class RmiContender implements Contender {

    private final Echo implementation = new EchoService();
    private Echo stub;

    @Override
    public String name() {
        return "java-rmi";
    }

    @Override
    public void start() throws RemoteException {
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        stub = (Echo) UnicastRemoteObject.exportObject(implementation, 0);
    }

    @Override
    public Client connect() {
        return new Client() {
            @Override
            public void roundTrip() throws RemoteException {
                stub.echo(Payloads.SMALL);
            }

            @Override
            public void pipeline(int messages) throws RemoteException {
                for (int i = 0; i < messages; i++) {
                    stub.echo(Payloads.SMALL);
                }
            }

            @Override
            public void close() {
                // Stubs share the JVM's RMI connections, which the runtime closes when idle.
            }
        };
    }

    @Override
    public void close() throws NoSuchObjectException {
        UnicastRemoteObject.unexportObject(implementation, true);
    }
}
