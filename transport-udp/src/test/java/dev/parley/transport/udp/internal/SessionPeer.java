package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.FrameBudget;
import dev.parley.transport.udp.UdpOptions;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * One application on the simulated network: a session, the frames it should send, and what it
 * received. A client starts the handshake; a server answers INITIALs through a stateless
 * {@link ServerHandshake} and creates its session only once a cookie checks out. Single-threaded.
 */
final class SessionPeer implements SimulatedNetwork.Node, ReliableSession.Events {

    private final SimulatedNetwork network;
    private final InetSocketAddress address;
    private final InetSocketAddress peerAddress;
    private final UdpOptions udp;
    private final TransportOptions options;
    private final ServerHandshake handshake;
    private final Iterator<byte[]> toSend;
    final List<byte[]> received = new ArrayList<>();
    final List<byte[]> datagrams = new ArrayList<>();
    ReliableSession session;
    int sessionsCreated;
    boolean opened;
    boolean peerFinished;
    boolean terminated;
    /** Whether to close gracefully once every frame is handed over; off to leave a connection idle. */
    boolean finishWhenSent = true;
    ConnectionClosedException cause;
    private long consumedUpTo = -1;

    private SessionPeer(SimulatedNetwork network, InetSocketAddress address, InetSocketAddress peerAddress,
                        UdpOptions udp, TransportOptions options, ServerHandshake handshake, List<byte[]> frames) {
        this.network = network;
        this.address = address;
        this.peerAddress = peerAddress;
        this.udp = udp;
        this.options = options;
        this.handshake = handshake;
        this.toSend = frames.iterator();
        network.attach(address, this);
    }

    static SessionPeer client(SimulatedNetwork network, InetSocketAddress address, InetSocketAddress server,
                              UdpOptions udp, TransportOptions options, List<byte[]> frames) {
        var peer = new SessionPeer(network, address, server, udp, options, null, frames);
        peer.session = ReliableSession.client(1001, udp, options, network.sink(address, server), peer, network.now());
        peer.session.start(network.now());
        return peer;
    }

    static SessionPeer server(SimulatedNetwork network, InetSocketAddress address, InetSocketAddress client,
                              UdpOptions udp, TransportOptions options, List<byte[]> frames) {
        var handshake = new ServerHandshake(new HandshakeCookies(new byte[32], udp.cookieLifetime().toNanos()));
        return new SessionPeer(network, address, client, udp, options, handshake, frames);
    }

    @Override
    public void receive(byte[] datagram, InetSocketAddress from, long now) {
        if (handshake == null) {
            session.onDatagram(datagram, datagram.length, now);
        } else {
            serverReceive(datagram, from, now);
        }
        afterCall(now);
    }

    private void serverReceive(byte[] datagram, InetSocketAddress from, long now) {
        Packet packet;
        try {
            packet = PacketCodec.decode(datagram, datagram.length);
        } catch (MalformedPacketException e) {
            return;
        }
        if (packet instanceof Packet.Initial initial && session == null) {
            switch (handshake.onInitial(initial, from, now)) {
                case ServerHandshake.Decision.Reply reply -> network.transmit(reply.packet(), address, from);
                case ServerHandshake.Decision.Accept accept -> {
                    sessionsCreated++;
                    session = ReliableSession.server(2002, initial, udp, options, FrameBudget.unlimited(),
                            network.sink(address, peerAddress), this, now);
                    session.start(now);
                }
                case ServerHandshake.Decision.Drop drop -> { }
            }
        } else if (session != null) {
            session.onPacket(packet, now);
        }
    }

    @Override
    public long nextDeadline() {
        return session == null ? Long.MAX_VALUE : session.nextDeadline();
    }

    @Override
    public void onTimer(long now) {
        session.onTimer(now);
        afterCall(now);
    }

    /** What the owner of a session does after every call: hand over consumption and more frames. */
    private void afterCall(long now) {
        if (session == null || !opened) {
            return;
        }
        if (consumedUpTo >= 0) {
            long upTo = consumedUpTo;
            consumedUpTo = -1;
            session.onConsumed(upTo, now);
        }
        while (session.canSend() && toSend.hasNext() && session.sendRoom() > 0) {
            session.send(toSend.next());
        }
        if (finishWhenSent && session.canSend() && !toSend.hasNext()) {
            session.finishSending(now);
        }
        session.flush(now);
    }

    @Override
    public void established() {
        opened = true;
    }

    @Override
    public void frameArrived(byte[] frame, long endOffset) {
        received.add(frame);
        consumedUpTo = endOffset;
    }

    @Override
    public void framesArrived(byte[][] frames, long endOffset) {
        received.addAll(Arrays.asList(frames));
        consumedUpTo = endOffset;
    }

    @Override
    public void datagramArrived(byte[] frame) {
        datagrams.add(frame);
    }

    @Override
    public void peerFinished() {
        peerFinished = true;
    }

    @Override
    public void terminated(ConnectionClosedException cause) {
        terminated = true;
        this.cause = cause;
    }
}
