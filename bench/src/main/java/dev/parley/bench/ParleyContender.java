package dev.parley.bench;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.tcp.ReaderThreads;
import dev.parley.transport.tcp.TcpTransport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Parley over one transport, in one of two styles: typed messages ({@link Ping} records, a handler
 * that echoes those that ask for it) or remote calls (the {@link Echo} interface through a proxy).
 * A pipelined run of messages is a stream of non-echo pings and one echo ping behind them (a
 * peer's messages are handled in order, so that reply is a barrier); a pipelined run of remote
 * calls keeps {@link Payloads#WINDOW} asynchronous calls in flight. Each transport is taken with
 * its defaults, except in {@link #messagesOverTcpWithVirtualReaders()}.
 */
final class ParleyContender implements Contender {

    private static final int PING_ID = 200;

    private final String name;
    private final Transport transport;
    private final boolean remoteCalls;
    private final Codec codec = Codec.builder().register(PING_ID, Ping.class).build();
    private Server server;

    private ParleyContender(String name, Transport transport, boolean remoteCalls) {
        this.name = name;
        this.transport = transport;
        this.remoteCalls = remoteCalls;
    }

    /** Typed messages over the transport called {@code transportName}. */
    static ParleyContender messages(String transportName) {
        return new ParleyContender("parley-" + transportName, Transport.byName(transportName), false);
    }

    /** Remote calls over the transport called {@code transportName}. */
    static ParleyContender remoteCalls(String transportName) {
        return new ParleyContender("parley-rpc-" + transportName, Transport.byName(transportName), true);
    }

    /**
     * Typed messages over TCP with virtual threads reading both sides, as a process that wants no
     * kernel thread per connection would choose; by default platform threads read both
     * ({@link TcpTransport#withReaderThreads}). Shows what virtual readers cost per message.
     */
    static ParleyContender messagesOverTcpWithVirtualReaders() {
        var transport = TcpTransport.create(TransportOptions.defaults())
                .withReaderThreads(ReaderThreads.VIRTUAL, ReaderThreads.VIRTUAL);
        return new ParleyContender("parley-tcp-virtual", transport, false);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() throws IOException {
        Endpoint endpoint = Endpoint.builder(codec)
                .on(Ping.class, (peer, ping) -> {
                    if (ping.echo()) {
                        peer.send(ping);
                    }
                })
                .serve(Echo.class, new EchoService())
                .build();
        server = endpoint.listen(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Override
    public Client connect() throws IOException {
        var replies = new Arrivals();
        Endpoint endpoint = Endpoint.builder(codec)
                .on(Ping.class, (peer, ping) -> replies.arrived())
                .build();
        Peer peer = endpoint.connect(transport, server.localAddress());
        return remoteCalls ? new RpcClient(peer) : new MessageClient(peer, replies);
    }

    @Override
    public void close() {
        server.close();
    }

    /** Sends pings on the benchmark thread; replies arrive on the peer's delivery thread. */
    private static final class MessageClient implements Client {
        private static final Ping ECHO = new Ping(Payloads.SMALL, true);
        private static final Ping SINK = new Ping(Payloads.SMALL, false);

        private final Peer peer;
        private final Arrivals replies;
        private long expected;

        MessageClient(Peer peer, Arrivals replies) {
            this.peer = peer;
            this.replies = replies;
        }

        @Override
        public void roundTrip() throws Exception {
            peer.send(ECHO);
            replies.awaitAtLeast(++expected);
        }

        @Override
        public void pipeline(int messages) throws Exception {
            for (int i = 1; i < messages; i++) {
                peer.send(SINK);
            }
            roundTrip();
        }

        @Override
        public void close() {
            peer.close();
        }
    }

    /** Calls through a proxy on the benchmark thread. */
    private static final class RpcClient implements Client {
        private final Peer peer;
        private final Echo echo;

        RpcClient(Peer peer) {
            this.peer = peer;
            this.echo = peer.remote(Echo.class);
        }

        @Override
        public void roundTrip() throws Exception {
            echo.echo(Payloads.SMALL);
        }

        @Override
        public void pipeline(int messages) throws Exception {
            Window.run(messages, () -> {
                try {
                    return echo.echoAsync(Payloads.SMALL);
                } catch (java.rmi.RemoteException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        @Override
        public void close() {
            peer.close();
        }
    }
}
