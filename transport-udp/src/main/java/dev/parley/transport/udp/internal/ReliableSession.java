package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.FrameBudget;
import dev.parley.transport.udp.UdpOptions;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The protocol of one connection, as a state machine with no threads, sockets or clock of its own:
 * it is fed datagrams ({@link #onPacket}), frames to send ({@link #send}) and the time
 * ({@link #onTimer}), and it writes packets to a {@link DatagramSink} and reports what happened to
 * its {@link Events}. The same code runs over real sockets and over the simulated network of the
 * tests.
 *
 * <p>What it does, and where the ideas come from: packet numbers that only grow and acknowledgements
 * with ranges (QUIC, RFC 9000 §19.3); RTT estimation, loss detection by packet and time threshold,
 * probe timeouts and pacing (RFC 9002), a pluggable congestion controller ({@link FlightController}); fragment sequence numbers apart from packet
 * numbers, a receive window in fragments and a window probe (KCP); reliable and unreliable data on
 * one connection (ENet); a FIN per direction and a RESET (TCP). It wires together the parts that
 * keep their own rules: the {@link SendStream} (what reliable data goes next), the
 * {@link AckScheduler}, the {@link LossDetector}, the {@link FlightController} and the
 * {@link Reassembler}; what stays here is the handshake, the close, the timers and the probes.
 *
 * <p><b>Threads.</b> Not thread-safe. Its owner calls it under one lock, from any thread (the
 * receive loop, the timer loop, a sender, the delivery thread). {@link Events} are called under
 * that lock and must not block.
 */
public final class ReliableSession {

    /**
     * What a session reports. Called under the session's lock; must not block. Reliable frames
     * arrive in order through the {@link Reassembler.FrameSink} methods, with the {@code endOffset}
     * that {@link #onConsumed} takes.
     */
    public interface Events extends Reassembler.FrameSink {
        /** The handshake completed: frames may flow. */
        void established();

        /** An unreliable frame arrived. */
        void datagramArrived(byte[] frame);

        /** The peer closed gracefully: every frame it sent has been reported. */
        void peerFinished();

        /**
         * The session ended: {@code cause} is null after a graceful close in both directions,
         * otherwise it says what went wrong (reset by the peer, unresponsive, idle, protocol error,
         * refused, aborted). Called once.
         */
        void terminated(ConnectionClosedException cause);
    }

    private enum State { CONNECTING, OPEN, CLOSED }

    private static final int MAX_ACK_RANGES = 32;
    private static final int PROBE_PACKETS = 2;
    /**
     * The shortest probe timeout assumed when timing how long a peer may stay silent before it is
     * declared unresponsive (Linux times its retransmission limit from its minimum timeout the
     * same way): on a path with a millisecond RTT, {@code maxProbeTimeouts} backed-off probes would
     * otherwise span a second or two, and a short outage would end the connection.
     */
    private static final long UNRESPONSIVE_BASE_PROBE_NANOS = 25_000_000;
    private static final int FIN_OR_PING_ROOM = 10;
    /**
     * How long a session keeps a packet buffer grown for data after it last needed one, with
     * nothing in flight or to send: a flow that pauses for less keeps it rather than reallocating
     * it; an idle session drops it at its next packet or timer after this.
     */
    private static final long SHRINK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Bytes of a DATA packet besides its chunks: header, checksum, an ACK and a FIN or PING. */
    private static final int PACKET_OVERHEAD = PacketCodec.HEADER_LENGTH + PacketCodec.CHECKSUM_LENGTH
            + PacketCodec.ACK_RESERVE + FIN_OR_PING_ROOM;

    private final UdpOptions udp;
    private final TransportOptions options;
    /** What this side tells the peer in its INITIAL or ACCEPT. */
    private final TransportParameters announced;
    private final DatagramSink sink;
    private final Events events;
    private final long localId;
    private final boolean client;
    private final int maxPacket;
    /** How long this side may hold an acknowledgement; the peer's own is in {@link #rtt}. */
    private final long maxAckDelay;
    private final PacketCodec.Writer writer;
    private final RttEstimator rtt;
    private final FlightController flight;
    private final LossDetector loss;
    /** How long consecutive probe timeouts must last, besides their count, before the peer is declared unresponsive. */
    private final long unresponsiveAfter;
    private final AckScheduler acks;
    private final Reassembler reassembler;
    private final SendStream stream;

    private State state;
    private long peerId;
    private long nextPn;

    // sending
    private final ArrayDeque<byte[]> unreliable = new ArrayDeque<>();
    private boolean pingPending;
    private int probesToSend;
    private long pacingDeadline = Long.MAX_VALUE;

    // receiving
    /** When a packet last needed more room than the writer's smallest buffer. */
    private long lastLargePacketNanos;
    private long advertisedLimit;
    private boolean peerFinReported;

    // time
    /** When the peer last sent something that needed an answer; acks alone do not count, so idle means idle. */
    private long lastHeard;
    /** When this side last sent something that needed an answer; keepalives and window probes go after it. */
    private long lastSpoke;
    /**
     * How long this side stays quiet before it sends a keepalive (0: never): the configured
     * interval, shortened once the peer's idle timeout is known where that needs more often.
     */
    private long keepAliveNanos;
    private long closeDeadline = Long.MAX_VALUE;
    private long lingerUntil = Long.MAX_VALUE;
    private boolean terminatedFully;
    private ResetCode lingerReset;

    // handshake
    private final Map<Long, Long> initialsSent = new HashMap<>();
    private byte[] cookie = new byte[0];
    private long handshakeDeadline = Long.MAX_VALUE;
    private long connectDeadline = Long.MAX_VALUE;
    private int handshakeAttempts;
    private long acceptEcho;

    private final SessionCounters counters = new SessionCounters();
    /** When the current run of probe timeouts without an acknowledgement began. */
    private long silentSince;

    private ReliableSession(boolean client, long localId, long peerId, UdpOptions udp, TransportOptions options,
                            FrameBudget frameBudget, DatagramSink sink, Events events, long now) {
        this.client = client;
        this.localId = localId;
        this.peerId = peerId;
        this.udp = udp;
        this.options = options;
        this.announced = TransportParameters.of(udp, options);
        this.sink = sink;
        this.events = events;
        this.maxPacket = udp.maxPacketSize();
        this.maxAckDelay = udp.maxAckDelay().toNanos();
        this.writer = new PacketCodec.Writer(maxPacket);
        this.rtt = new RttEstimator(udp.initialRtt().toNanos(), maxAckDelay);
        this.acks = new AckScheduler(MAX_ACK_RANGES, maxAckDelay);
        this.flight = new FlightController(FlightController.controller(udp.congestionControl(), maxPacket,
                (long) udp.initialWindowPackets() * maxPacket, (long) udp.minWindowPackets() * maxPacket,
                udp.maxWindowBytes()), maxPacket, udp.initialWindowPackets(), now);
        this.loss = new LossDetector(rtt, udp.maxProbeInterval().toNanos());
        this.unresponsiveAfter = unresponsiveAfter(udp);
        this.reassembler = new Reassembler(options.maxFrameLength(), frameBudget, udp.reassemblyCapBytes(),
                udp.receiveWindowBytes());
        this.advertisedLimit = reassembler.byteLimit();
        this.stream = new SendStream(PacketCodec.maxChunkData(maxPacket));
        this.lastHeard = now;
        this.lastSpoke = now;
        this.keepAliveNanos = options.keepAliveInterval().toNanos();
        this.state = client ? State.CONNECTING : State.OPEN;
    }

    /** A client session; {@link #start} sends its first INITIAL. */
    public static ReliableSession client(long localId, UdpOptions udp, TransportOptions options,
                                         DatagramSink sink, Events events, long now) {
        return new ReliableSession(true, localId, 0, udp, options, FrameBudget.unlimited(), sink, events, now);
    }

    /**
     * A server session for a client whose cookie was verified; {@link #start} sends the ACCEPT
     * (echoing {@code initialPacketNumber}) and reports it opened. Its long frames reserve their
     * length in {@code frameBudget}, which the listener's sessions share.
     */
    public static ReliableSession server(long localId, Packet.Initial initial, UdpOptions udp, TransportOptions options,
                                         FrameBudget frameBudget, DatagramSink sink, Events events, long now) {
        var session = new ReliableSession(false, localId, initial.sourceConnectionId(), udp, options, frameBudget,
                sink, events, now);
        session.adopt(initial.parameters());
        session.acceptEcho = initial.packetNumber();
        return session;
    }

    /** Starts the handshake (client) or accepts (server). */
    public void start(long now) {
        if (client) {
            connectDeadline = now + options.connectTimeout().toNanos();
            sendInitial(now);
        } else {
            sendAccept();
            events.established();
        }
    }

    // ------------------------------------------------------------------ input

    /** Decodes and handles one datagram; garbage is dropped and counted, never thrown. */
    public void onDatagram(byte[] buf, int length, long now) {
        Packet packet;
        try {
            packet = PacketCodec.decode(buf, length);
        } catch (MalformedPacketException e) {
            countMalformed(e.kind());
            return;
        }
        if (packet.connectionId() != localId && !(packet instanceof Packet.Initial)) {
            counters.malformed++;
            return;
        }
        onPacket(packet, now);
    }

    /** Counts a datagram the owner could not decode but could attribute to this session. */
    public void countMalformed(MalformedPacketException.Kind kind) {
        if (kind == MalformedPacketException.Kind.CHECKSUM) {
            counters.checksumFailures++;
        } else {
            counters.malformed++;
        }
    }

    /** Handles one decoded packet addressed to this session. */
    public void onPacket(Packet packet, long now) {
        switch (packet) {
            case Packet.Initial initial -> {
                if (!client && state == State.OPEN && initial.sourceConnectionId() == peerId) {
                    acceptEcho = initial.packetNumber();
                    sendAccept();
                }
            }
            case Packet.Retry retry -> onRetry(retry, now);
            case Packet.Accept accept -> onAccept(accept, now);
            case Packet.Refused refused -> {
                if (state == State.CONNECTING && initialsSent.containsKey(refused.packetNumber())) {
                    terminate(new ConnectionClosedException(Reason.SHUTDOWN, "the server refused the connection"),
                            null, now);
                }
            }
            case Packet.Data data -> onData(data, now);
        }
    }

    private void onRetry(Packet.Retry retry, long now) {
        if (state != State.CONNECTING || !initialsSent.containsKey(retry.packetNumber())
                || Arrays.equals(cookie, retry.cookie())) {
            return;
        }
        cookie = retry.cookie();
        // The Retry echoes the number of the Initial it answers, so the time since is a clean RTT
        // sample (RFC 9002 §6.2.1 allows it). With it the cookie-bearing Initial is repeated on a
        // probe timeout sized to the path rather than the 1 s assumed before, and its backoff
        // starts over: a lossy path has many tries left within the connect timeout.
        if (!rtt.hasSample()) {
            rtt.onSample(now - initialsSent.get(retry.packetNumber()), 0);
        }
        handshakeAttempts = 0;
        sendInitial(now);
    }

    private void onAccept(Packet.Accept accept, long now) {
        Long sentAt = initialsSent.get(accept.packetNumber());
        if (state != State.CONNECTING || sentAt == null) {
            return;
        }
        rtt.onSample(now - sentAt, 0);
        adopt(accept.parameters());
        peerId = accept.serverConnectionId();
        state = State.OPEN;
        handshakeDeadline = Long.MAX_VALUE;
        connectDeadline = Long.MAX_VALUE;
        initialsSent.clear();
        lastHeard = now;
        events.established();
        flush(now);
    }

    /** Takes on what the peer announced in the handshake. */
    private void adopt(TransportParameters peer) {
        stream.raisePeerByteLimit(peer.receiveWindow());
        rtt.peerMaxAckDelay(TimeUnit.MICROSECONDS.toNanos(peer.maxAckDelayMicros()));
        keepAliveNanos = peer.keepAliveFor(keepAliveNanos);
    }

    private void onData(Packet.Data data, long now) {
        if (state == State.CONNECTING) {
            return;
        }
        counters.packetsReceived++;
        boolean ackEliciting = data.ackEliciting();
        if (ackEliciting) {
            lastHeard = now;
        }
        long pn = data.packetNumber();
        if (state == State.CLOSED) {
            onDataWhileClosed(data, now);
            return;
        }
        if (acks.isDuplicate(pn)) {
            counters.duplicates++;
            if (ackEliciting) {
                acks.ackImmediately();
            }
            flush(now);
            return;
        }
        for (Frame f : data.frames()) {
            if (f instanceof Frame.Ack ack && ack.largest() >= nextPn) {
                counters.forgedAcks++;
                return;
            }
        }
        boolean refused = false;
        try {
            for (Frame f : data.frames()) {
                switch (f) {
                    case Frame.Ack ack -> onAck(ack, now);
                    case Frame.Segment segment -> {
                        switch (reassembler.onSegment(segment, events)) {
                            case DUPLICATE -> counters.duplicates++;
                            case REFUSED -> {
                                counters.refusedChunks++;
                                refused = true;
                            }
                            case ACCEPTED -> { }
                        }
                    }
                    case Frame.Datagram datagram -> events.datagramArrived(datagram.data());
                    case Frame.Ping ping -> { }
                    case Frame.Fin fin -> reassembler.onFin(fin.finalSeq());
                    case Frame.Reset reset -> {
                        terminate(new ConnectionClosedException(Reason.RESET_BY_PEER,
                                "the peer reset the connection (" + ResetCode.of(reset.code()) + ")"), null, now);
                        return;
                    }
                }
                if (state == State.CLOSED) {
                    return;
                }
            }
        } catch (ConnectionClosedException e) {
            terminate(e, e.reason() == Reason.OVERLOADED ? ResetCode.OVERLOADED : ResetCode.PROTOCOL_ERROR, now);
            return;
        }
        if (!refused) {
            acks.onReceived(pn, ackEliciting, now);
        }
        if (reassembler.isFinished() && !peerFinReported) {
            peerFinReported = true;
            acks.ackImmediately();
            events.peerFinished();
        }
        checkGracefulEnd(now);
        flush(now);
    }

    private void onDataWhileClosed(Packet.Data data, long now) {
        if (lingerReset != null) {
            if (data.frames().stream().noneMatch(f -> f instanceof Frame.Reset)) {
                sendReset(lingerReset, now);
            }
            return;
        }
        acks.record(data.packetNumber());
        if (data.ackEliciting()) {
            sendPacket(now, false);
        }
    }

    private void onAck(Frame.Ack ack, long now) {
        stream.raisePeerByteLimit(ack.byteLimit());
        var result = loss.onAck(ack, Math.min(ack.ackDelayMicros(), Long.MAX_VALUE / 1000) * 1000, now);
        flight.onAcked(result.acked(), rtt, now);
        for (SentPacket p : result.acked()) {
            stream.onAcked(p);
        }
        onLost(result.lost(), result.persistentCongestion(), now);
    }

    private void onLost(List<SentPacket> lost, boolean persistentCongestion, long now) {
        if (lost.isEmpty()) {
            return;
        }
        for (SentPacket p : lost) {
            counters.packetsLost++;
            stream.onLost(p);
        }
        flight.onLost(lost, persistentCongestion, now);
    }

    // ------------------------------------------------------------------ sending API

    /** Bytes the session can still take before its send buffer is full; see {@link #send}. */
    public long sendRoom() {
        return udp.sendBufferBytes() - stream.bufferedBytes();
    }

    /**
     * True if the session is open, everything it was given went out and was acknowledged, and it
     * sent nothing that needed an answer for {@code quietNanos} before {@code now}: a frame sent
     * now leaves alone and at once, and is no part of a burst.
     */
    public boolean isIdle(long now, long quietNanos) {
        return isSettled() && now - lastSpoke >= quietNanos;
    }

    /** True if the session is open and everything it was given went out and was acknowledged. */
    public boolean isSettled() {
        return state == State.OPEN && stream.isIdle();
    }

    /** True while frames may be handed to {@link #send}. */
    public boolean canSend() {
        return state != State.CLOSED && !stream.isFinishing();
    }

    /**
     * Takes a frame for reliable, ordered delivery, sent whole in a batch or, if it is too big for
     * one packet, cut into fragments; call {@link #flush} after. The caller keeps to
     * {@link #sendRoom()} (one frame may overshoot it, as the outbound queue allows) and stops after
     * {@link #finishSending}.
     */
    public void send(byte[] frame) {
        if (!canSend()) {
            throw new IllegalStateException("the session no longer takes frames");
        }
        stream.add(frame);
    }

    /** The largest frame {@link #sendUnreliable} takes. */
    public int maxUnreliableLength() {
        return PacketCodec.maxDatagramData(maxPacket);
    }

    /**
     * Queues an unreliable frame of at most {@link #maxUnreliableLength()} bytes, sent once if the
     * window allows soon, never retransmitted.
     *
     * @return false if too many are waiting already, or the session is closing
     */
    public boolean sendUnreliable(byte[] frame, long now) {
        if (state == State.CLOSED || unreliable.size() >= udp.maxPendingUnreliable()) {
            return false;
        }
        unreliable.add(frame);
        flush(now);
        return true;
    }

    /** No frame follows those already sent: a FIN goes after the last fragment. */
    public void finishSending(long now) {
        if (stream.isFinishing() || state == State.CLOSED) {
            return;
        }
        stream.finish();
        flush(now);
    }

    /** A graceful close that has not ended by {@code deadline} ends with a reset. */
    public void closeBy(long deadline) {
        closeDeadline = Math.min(closeDeadline, deadline);
    }

    /** Ends the session at once with {@code cause}, telling the peer with a RESET. */
    public void abort(ConnectionClosedException cause, ResetCode code, long now) {
        terminate(cause, code, now);
    }

    /** The owner's handler is done with the frames up to stream offset {@code endOffset}; the window may reopen. */
    public void onConsumed(long endOffset, long now) {
        reassembler.onConsumed(endOffset);
        if (state == State.OPEN && reassembler.byteLimit() - advertisedLimit >= reassembler.windowBytes() / 4) {
            acks.ackImmediately();
            flush(now);
        }
    }

    // ------------------------------------------------------------------ timers

    /** Runs whatever timers are due at {@code now}; returns the next deadline ({@link Long#MAX_VALUE} for none). */
    public long onTimer(long now) {
        switch (state) {
            case CLOSED -> {
                if (now >= lingerUntil) {
                    terminatedFully = true;
                }
            }
            case CONNECTING -> {
                if (now >= connectDeadline) {
                    terminate(new ConnectionClosedException(Reason.PEER_UNRESPONSIVE,
                            "no answer to the handshake within " + options.connectTimeout()), null, now);
                } else if (now >= handshakeDeadline) {
                    sendInitial(now);
                }
            }
            case OPEN -> openTimers(now);
        }
        return nextDeadline();
    }

    private void openTimers(long now) {
        long idle = options.idleTimeout().toNanos();
        if (idle > 0 && now - lastHeard >= idle) {
            terminate(new ConnectionClosedException(Reason.IDLE_TIMEOUT,
                    "nothing arrived for " + options.idleTimeout()), ResetCode.TIMED_OUT, now);
            return;
        }
        if (now >= closeDeadline) {
            terminate(new ConnectionClosedException(Reason.ABORTED,
                    "graceful close did not finish within " + options.closeTimeout()), ResetCode.TIMED_OUT, now);
            return;
        }
        if (loss.deadline() <= now) {
            if (loss.lossTimerArmed()) {
                onLost(loss.detectLost(now), false, now);
            } else {
                onProbeTimeout(now);
                if (state == State.CLOSED) {
                    return;
                }
            }
        }
        if (keepAliveNanos > 0 && !loss.hasInFlight() && now - lastSpoke >= keepAliveNanos) {
            pingPending = true;
        }
        if (stream.windowBlocked() && !loss.hasInFlight() && now - lastSpoke >= loss.currentProbeTimeout()) {
            pingPending = true;
        }
        flush(now);
    }

    /**
     * The probe timeouts' span that, with their count, declares a peer unresponsive: what
     * {@code maxProbeTimeouts} backed-off timeouts would last if the first were
     * {@value #UNRESPONSIVE_BASE_PROBE_NANOS} ns (about 5 s with the defaults).
     */
    private static long unresponsiveAfter(UdpOptions udp) {
        long cap = udp.maxProbeInterval().toNanos();
        long total = 0;
        for (int i = 0; i < udp.maxProbeTimeouts(); i++) {
            total += UNRESPONSIVE_BASE_PROBE_NANOS > cap >> Math.min(i, 30) ? cap : UNRESPONSIVE_BASE_PROBE_NANOS << i;
        }
        return total;
    }

    private void onProbeTimeout(long now) {
        counters.probeTimeouts++;
        if (loss.ptoCount() == 0) {
            silentSince = now;
        }
        if (loss.onProbeTimeout() > udp.maxProbeTimeouts() && now - silentSince >= unresponsiveAfter) {
            terminate(new ConnectionClosedException(Reason.PEER_UNRESPONSIVE, "the peer acknowledged nothing after "
                    + udp.maxProbeTimeouts() + " probe timeouts"), ResetCode.TIMED_OUT, now);
            return;
        }
        stream.onProbeTimeout(PROBE_PACKETS);
        probesToSend = PROBE_PACKETS;
    }

    /** The earliest time {@link #onTimer} has something to do. */
    public long nextDeadline() {
        return switch (state) {
            case CLOSED -> terminatedFully ? Long.MAX_VALUE : lingerUntil;
            case CONNECTING -> Math.min(connectDeadline, handshakeDeadline);
            case OPEN -> {
                long d = Math.min(closeDeadline, loss.deadline());
                d = Math.min(d, acks.deadline());
                if (hasSendableData()) {
                    d = Math.min(d, pacingDeadline);
                }
                long idle = options.idleTimeout().toNanos();
                if (idle > 0) {
                    d = Math.min(d, lastHeard + idle);
                }
                if (!pingPending && !loss.hasInFlight()) {
                    if (keepAliveNanos > 0) {
                        d = Math.min(d, lastSpoke + keepAliveNanos);
                    }
                    if (stream.windowBlocked()) {
                        d = Math.min(d, lastSpoke + loss.currentProbeTimeout());
                    }
                }
                yield d;
            }
        };
    }

    /** True once the session ended and its linger time (to answer stragglers) is over: it can be forgotten. */
    public boolean isTerminated() {
        return terminatedFully;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    // ------------------------------------------------------------------ output

    /** Sends whatever the windows, the pacer and pending acknowledgements allow now. */
    public void flush(long now) {
        if (state != State.OPEN) {
            return;
        }
        pacingDeadline = Long.MAX_VALUE;
        while (true) {
            if (hasSendableData()) {
                if (probesToSend > 0) {
                    probesToSend--;
                    sendPacket(now, true);
                    continue;
                }
                if (flight.windowOpen()) {
                    long at = flight.nextSendTime(now, rtt);
                    if (at <= now) {
                        sendPacket(now, true);
                        continue;
                    }
                    pacingDeadline = at;
                }
            }
            probesToSend = 0;
            if (!hasSendableData()) {
                flight.onOutOfData();
            }
            if (acks.isDue(now)) {
                sendPacket(now, false);
            }
            if (!loss.hasInFlight() && !hasSendableData() && now - lastLargePacketNanos >= SHRINK_AFTER_NANOS) {
                writer.shrink();
            }
            return;
        }
    }

    /**
     * Room for a packet that carries data: the maximum packet size for retransmissions and
     * datagrams, else enough for every unsent frame as whole batches, which a short reply or a
     * trickle of messages keeps within the writer's smallest buffer.
     */
    private int dataRoom() {
        if (stream.hasRetransmissions() || !unreliable.isEmpty()) {
            return maxPacket;
        }
        return (int) Math.min(maxPacket, PACKET_OVERHEAD + stream.unsentWireBytesBound());
    }

    /** Bytes of the buffer this session builds packets in now: small while it is idle. */
    public int packetBufferBytes() {
        return writer.capacity();
    }

    private boolean hasSendableData() {
        return stream.hasSendable() || !unreliable.isEmpty() || pingPending || probesToSend > 0;
    }

    private void sendPacket(long now, boolean withData) {
        long pn = nextPn++;
        int room = withData ? dataRoom() : PacketCodec.Writer.CONTROL_PACKET_BYTES;
        if (room > PacketCodec.Writer.CONTROL_PACKET_BYTES) {
            lastLargePacketNanos = now;
        }
        writer.begin(peerId, pn, room);
        if (acks.hasReceived()) {
            long byteLimit = reassembler.byteLimit();
            int rangesSent = writer.ack(acks.ranges(), acks.ackDelayMicros(now), byteLimit,
                    withData ? PacketCodec.ACK_RESERVE : writer.remaining());
            if (rangesSent > 0) {
                advertisedLimit = byteLimit;
                acks.onAckSent(rangesSent);
            }
        }
        List<OutgoingChunk> chunks = List.of();
        boolean fin = false;
        if (withData) {
            chunks = new ArrayList<>();
            int retransmitted = stream.writeRetransmissions(writer, chunks);
            counters.chunksRetransmitted += retransmitted;
            while (!unreliable.isEmpty()
                    && PacketCodec.Writer.datagramSize(unreliable.peek().length) <= writer.remaining()) {
                writer.datagram(unreliable.poll());
            }
            stream.writeNewChunks(writer, chunks);
            if (stream.finReady() && writer.remaining() >= FIN_OR_PING_ROOM) {
                writer.fin(stream.takeFin());
                fin = true;
            }
            if (!writer.isAckEliciting() && writer.remaining() >= 1) {
                writer.ping();
            }
            pingPending = false;
            if (retransmitted > 0) {
                counters.packetsRetransmitted++;
            }
        }
        int length = writer.finish();
        sink.send(writer.buffer(), length);
        counters.packetsSent++;
        if (writer.isAckEliciting()) {
            lastSpoke = now;
            var packet = new SentPacket(pn, now, length, true, chunks, fin, flight.beforeSend(now));
            loss.onPacketSent(packet);
            flight.onSent(packet, now);
        }
    }

    private void sendInitial(long now) {
        long pn = nextPn++;
        initialsSent.put(pn, now);
        byte[] packet = PacketCodec.initial(pn, localId, announced, cookie);
        sink.send(packet, packet.length);
        counters.packetsSent++;
        lastSpoke = now;
        long timeout = rtt.probeTimeout() << Math.min(handshakeAttempts++, 20);
        handshakeDeadline = now + Math.min(timeout, udp.maxProbeInterval().toNanos());
    }

    private void sendAccept() {
        byte[] packet = PacketCodec.accept(peerId, acceptEcho, localId, announced);
        sink.send(packet, packet.length);
        counters.packetsSent++;
    }

    private void sendReset(ResetCode code, long now) {
        writer.begin(peerId, nextPn++, PacketCodec.Writer.CONTROL_PACKET_BYTES);
        writer.reset(code);
        int length = writer.finish();
        sink.send(writer.buffer(), length);
        counters.packetsSent++;
        lastSpoke = now;
    }

    private void checkGracefulEnd(long now) {
        if (state == State.OPEN && stream.isFullyAcknowledged() && reassembler.isFinished()) {
            // answer the peer's FIN now: after this only acknowledgements go out
            if (acks.isPending()) {
                sendPacket(now, false);
            }
            enterClosed(null, now);
            events.terminated(null);
        }
    }

    private void terminate(ConnectionClosedException cause, ResetCode reset, long now) {
        if (state == State.CLOSED) {
            return;
        }
        boolean connected = state == State.OPEN;
        if (reset != null && connected) {
            sendReset(reset, now);
        }
        enterClosed(connected ? reset : null, now);
        events.terminated(cause);
    }

    private void enterClosed(ResetCode reset, long now) {
        state = State.CLOSED;
        reassembler.discard();
        lingerReset = reset;
        lingerUntil = now + Math.min(3 * rtt.probeTimeout(), options.closeTimeout().toNanos());
        flight.onDiscarded(loss.clear());
        stream.discard();
        unreliable.clear();
        acks.cancelDelayed();
        closeDeadline = Long.MAX_VALUE;
    }

    // ------------------------------------------------------------------ stats

    /** This session's figures, for {@code ConnectionStats.details()}. */
    public Map<String, Long> details() {
        var d = new LinkedHashMap<String, Long>();
        d.put("srttMicros", rtt.smoothed() / 1000);
        d.put("rttvarMicros", rtt.variance() / 1000);
        d.put("minRttMicros", rtt.min() / 1000);
        d.put("peerMaxAckDelayMicros", rtt.maxAckDelay() / 1000);
        d.put("keepAliveMillis", TimeUnit.NANOSECONDS.toMillis(keepAliveNanos));
        flight.describe(d, rtt);
        counters.describe(d);
        d.put("peerByteLimit", stream.peerByteLimit());
        d.put("streamBytesSent", stream.streamOffset());
        d.put("sendBufferBytes", stream.bufferedBytes());
        return d;
    }

    /** The id peers address this session by. */
    public long localId() {
        return localId;
    }

    public long peerId() {
        return peerId;
    }
}
