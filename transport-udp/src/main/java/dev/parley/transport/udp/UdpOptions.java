package dev.parley.transport.udp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of the reliable UDP protocol, on top of the {@link dev.parley.transport.TransportOptions}
 * every transport honours. Immutable, so safe to share between threads; start from {@link #defaults()}:
 *
 * <pre>{@code
 * UdpOptions udp = UdpOptions.defaults().toBuilder().maxPacketSize(1400).build();
 * Transport transport = UdpTransport.create(TransportOptions.defaults(), udp);
 * }</pre>
 *
 * @param maxPacketSize        largest UDP payload sent, header and checksum included; frames longer
 *                             than what fits are fragmented. The client's first packet is always
 *                             padded to 1200 bytes whatever this says. Default 1200 (safe on any
 *                             path, as in QUIC).
 * @param loopbackPacketSize   largest UDP payload towards a peer on a loopback address, where the
 *                             path is the loopback interface (MTU 64 KiB on Linux) and cannot be
 *                             narrower: fewer, larger packets for the same data, so fewer system
 *                             calls, acknowledgements and thread wake-ups a megabyte. A connection
 *                             also keeps it to a sixteenth of the receive buffer the kernel granted
 *                             its socket (the peer's, on the same machine, is the same), so that a
 *                             burst of packets fits: with Linux's default {@code net.core.rmem_max}
 *                             of 208 KiB that is 26 KiB, with 4 MiB the whole 65,000. Nor more than
 *                             the receive window, send buffer or reassembly cap hold, nor than the
 *                             max window's share of an initial window. Never below
 *                             {@code maxPacketSize}; 0 uses {@code maxPacketSize} everywhere.
 *                             Default 65000.
 * @param initialWindowPackets congestion window at the start, in packets of {@code maxPacketSize}.
 *                             Default 10 (RFC 9002 §7.2).
 * @param minWindowPackets     congestion window after persistent congestion, in packets. Default 2.
 * @param maxWindowBytes       the congestion window never grows beyond this. Default 8 MiB.
 * @param receiveWindowBytes   payload bytes a receiver accepts beyond what its handler has
 *                             consumed; the sender stops when it is used up (flow control). It
 *                             must hold the largest frame ({@code maxFrameLength}), which
 *                             {@link UdpTransport#create} checks. Default 4 MiB, at most 4 GiB - 1.
 * @param sendBufferBytes      bytes a connection keeps handed to the protocol (unsent or
 *                             unacknowledged) before it stops taking frames from the outbound
 *                             queue, so a full window turns into backpressure. Default 2 MiB.
 * @param reassemblyCapBytes   bytes of out-of-order fragments a connection buffers; beyond that a
 *                             fragment is dropped unacknowledged and comes again. Default 4 MiB.
 * @param maxAckDelay          longest a receiver waits before acknowledging (it acknowledges at
 *                             once every second packet). A sender's probe timeout allows for it,
 *                             so it bounds how soon a lost lone message (a chat line, a game
 *                             input) is sent again. Default 5 ms: RFC 9000's 25 ms suits bulk
 *                             transfer over the Internet; interactive traffic, where most packets
 *                             are alone, recovers five times sooner for an ack per lone packet
 *                             (KCP and ENet acknowledge every packet at once). Each end tells
 *                             the other its value in the handshake, and a sender's probe timeout
 *                             and RTT correction use the receiver's, as QUIC's max_ack_delay
 *                             transport parameter does. At most 2^14 ms.
 * @param initialRtt           round-trip time assumed before the first sample. Default 333 ms
 *                             (RFC 9002 §6.2.2).
 * @param maxProbeTimeouts     consecutive probe timeouts without any acknowledgement after which
 *                             the peer is declared dead ({@code PEER_UNRESPONSIVE}), once they
 *                             have also lasted as long as they would from a 25 ms first timeout
 *                             (about 5 s with the defaults), so a short outage on a fast path is
 *                             ridden out. Default 8.
 * @param maxProbeInterval     the exponential backoff of probe timeouts stops growing here.
 *                             Default 2 s.
 * @param cookieLifetime       how long a handshake cookie stays valid. Default 10 s.
 * @param maxPendingUnreliable unreliable frames waiting to be sent before more are dropped at once;
 *                             also the most waiting for a handler on the receiving side. Default 256.
 * @param receiveSockets       sockets a listener binds to its one port with {@code SO_REUSEPORT},
 *                             each with a receive thread and a timer thread of its own; the
 *                             kernel sends all of a client's datagrams (one address and port) to
 *                             the same socket, so each connection is served by one pair of
 *                             threads and the listener's receiving spreads over the cores. Only
 *                             on Linux (elsewhere {@code SO_REUSEPORT} does not spread datagrams
 *                             and a listener binds one socket). While the listener is open,
 *                             another process of the same user may bind the port with
 *                             {@code SO_REUSEPORT} too and receive a share of its datagrams:
 *                             set 1 where other processes of that user are not trusted.
 *                             Default: half the available processors, from 1 to
 *                             {@value #MAX_RECEIVE_SOCKETS}.
 * @param congestionControl    the sender's congestion controller. Default {@link CongestionControl#BBR}:
 *                             on a lossy link it keeps its rate where NewReno and CUBIC cut theirs
 *                             on every random loss (see the loss table in {@code bench/RESULTS.md}).
 */
public record UdpOptions(int maxPacketSize, int loopbackPacketSize, int initialWindowPackets, int minWindowPackets, long maxWindowBytes,
                         long receiveWindowBytes, long sendBufferBytes, long reassemblyCapBytes,
                         Duration maxAckDelay, Duration initialRtt, int maxProbeTimeouts,
                         Duration maxProbeInterval, Duration cookieLifetime, int maxPendingUnreliable,
                         int receiveSockets, CongestionControl congestionControl) {

    /** The size every client's first packet is padded to, so the server's reply can be smaller. */
    public static final int MIN_INITIAL_PACKET_SIZE = 1200;
    /** The longest {@link #maxAckDelay()}: 2^14 ms, QUIC's limit (RFC 9000 §18.2). */
    public static final Duration MAX_ACK_DELAY_LIMIT = Duration.ofMillis(1 << 14);

    /** The most {@link #receiveSockets()} a listener binds. */
    public static final int MAX_RECEIVE_SOCKETS = 64;
    /** Packets of the loopback size a socket's receive buffer holds at least: a pacer's burst and more. */
    private static final int PACKETS_A_RECEIVE_BUFFER_HOLDS = 16;
    /** The most {@link #receiveSockets()} the defaults pick, however many processors there are. */
    private static final int DEFAULT_MAX_RECEIVE_SOCKETS = 8;

    private static final UdpOptions DEFAULTS = new UdpOptions(1200, 65_000, 10, 2, 8L << 20, 4L << 20, 2L << 20, 4L << 20,
            Duration.ofMillis(5), Duration.ofMillis(333), 8, Duration.ofSeconds(2), Duration.ofSeconds(10), 256,
            Math.clamp(Runtime.getRuntime().availableProcessors() / 2, 1, DEFAULT_MAX_RECEIVE_SOCKETS),
            CongestionControl.BBR);

    public UdpOptions {
        atLeast(maxPacketSize, 256, "maxPacketSize");
        if (maxPacketSize > 65_507) {
            throw new IllegalArgumentException("maxPacketSize must be at most 65507, was " + maxPacketSize);
        }
        if (loopbackPacketSize != 0 && (loopbackPacketSize < 256 || loopbackPacketSize > 65_507)) {
            throw new IllegalArgumentException("loopbackPacketSize must be 0 or between 256 and 65507, was "
                    + loopbackPacketSize);
        }
        atLeast(initialWindowPackets, 2, "initialWindowPackets");
        atLeast(minWindowPackets, 1, "minWindowPackets");
        if (minWindowPackets > initialWindowPackets) {
            throw new IllegalArgumentException("minWindowPackets (" + minWindowPackets
                    + ") must not exceed initialWindowPackets (" + initialWindowPackets + ")");
        }
        if (maxWindowBytes < (long) initialWindowPackets * maxPacketSize) {
            throw new IllegalArgumentException("maxWindowBytes (" + maxWindowBytes
                    + ") must hold the initial window of " + initialWindowPackets + " packets");
        }
        atLeast(receiveWindowBytes, maxPacketSize, "receiveWindowBytes");
        if (receiveWindowBytes > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("receiveWindowBytes must be below 4 GiB, was " + receiveWindowBytes);
        }
        atLeast(sendBufferBytes, maxPacketSize, "sendBufferBytes");
        atLeast(reassemblyCapBytes, maxPacketSize, "reassemblyCapBytes");
        positive(maxAckDelay, "maxAckDelay");
        if (maxAckDelay.compareTo(MAX_ACK_DELAY_LIMIT) > 0) {
            throw new IllegalArgumentException("maxAckDelay must be at most " + MAX_ACK_DELAY_LIMIT + ", was " + maxAckDelay);
        }
        positive(initialRtt, "initialRtt");
        atLeast(maxProbeTimeouts, 1, "maxProbeTimeouts");
        positive(maxProbeInterval, "maxProbeInterval");
        positive(cookieLifetime, "cookieLifetime");
        atLeast(maxPendingUnreliable, 1, "maxPendingUnreliable");
        atLeast(receiveSockets, 1, "receiveSockets");
        if (receiveSockets > MAX_RECEIVE_SOCKETS) {
            throw new IllegalArgumentException("receiveSockets must be at most " + MAX_RECEIVE_SOCKETS + ", was "
                    + receiveSockets);
        }
        Objects.requireNonNull(congestionControl, "congestionControl");
    }

    /** The defaults listed above. */
    public static UdpOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The options for a connection to {@code peer} from a socket whose receive buffer the kernel
     * made {@code receiveBufferBytes}: on a loopback address the packet size is
     * {@link #loopbackPacketSize()} (unless 0), at most a sixteenth of that buffer and what the
     * windows and buffers of these options hold, and never below {@link #maxPacketSize()};
     * elsewhere these options unchanged.
     */
    public UdpOptions forPeer(InetAddress peer, int receiveBufferBytes) {
        long held = Math.min(Math.min(receiveWindowBytes, sendBufferBytes),
                Math.min(reassemblyCapBytes, maxWindowBytes / initialWindowPackets));
        int loopbackSize = (int) Math.min(Math.min(loopbackPacketSize, held),
                receiveBufferBytes / PACKETS_A_RECEIVE_BUFFER_HOLDS);
        if (loopbackSize <= maxPacketSize || !peer.isLoopbackAddress()) {
            return this;
        }
        return toBuilder().maxPacketSize(loopbackSize).build();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** Builds {@link UdpOptions}; not thread-safe. */
    public static final class Builder {
        private int maxPacketSize;
        private int loopbackPacketSize;
        private int initialWindowPackets;
        private int minWindowPackets;
        private long maxWindowBytes;
        private long receiveWindowBytes;
        private long sendBufferBytes;
        private long reassemblyCapBytes;
        private Duration maxAckDelay;
        private Duration initialRtt;
        private int maxProbeTimeouts;
        private Duration maxProbeInterval;
        private Duration cookieLifetime;
        private int maxPendingUnreliable;
        private int receiveSockets;
        private CongestionControl congestionControl;

        private Builder(UdpOptions from) {
            maxPacketSize = from.maxPacketSize;
            loopbackPacketSize = from.loopbackPacketSize;
            initialWindowPackets = from.initialWindowPackets;
            minWindowPackets = from.minWindowPackets;
            maxWindowBytes = from.maxWindowBytes;
            receiveWindowBytes = from.receiveWindowBytes;
            sendBufferBytes = from.sendBufferBytes;
            reassemblyCapBytes = from.reassemblyCapBytes;
            maxAckDelay = from.maxAckDelay;
            initialRtt = from.initialRtt;
            maxProbeTimeouts = from.maxProbeTimeouts;
            maxProbeInterval = from.maxProbeInterval;
            cookieLifetime = from.cookieLifetime;
            maxPendingUnreliable = from.maxPendingUnreliable;
            receiveSockets = from.receiveSockets;
            congestionControl = from.congestionControl;
        }

        public Builder maxPacketSize(int bytes) {
            this.maxPacketSize = bytes;
            return this;
        }

        public Builder loopbackPacketSize(int bytes) {
            this.loopbackPacketSize = bytes;
            return this;
        }

        public Builder initialWindowPackets(int packets) {
            this.initialWindowPackets = packets;
            return this;
        }

        public Builder minWindowPackets(int packets) {
            this.minWindowPackets = packets;
            return this;
        }

        public Builder maxWindowBytes(long bytes) {
            this.maxWindowBytes = bytes;
            return this;
        }

        public Builder receiveWindowBytes(long bytes) {
            this.receiveWindowBytes = bytes;
            return this;
        }

        public Builder sendBufferBytes(long bytes) {
            this.sendBufferBytes = bytes;
            return this;
        }

        public Builder reassemblyCapBytes(long bytes) {
            this.reassemblyCapBytes = bytes;
            return this;
        }

        public Builder maxAckDelay(Duration delay) {
            this.maxAckDelay = delay;
            return this;
        }

        public Builder initialRtt(Duration rtt) {
            this.initialRtt = rtt;
            return this;
        }

        public Builder maxProbeTimeouts(int count) {
            this.maxProbeTimeouts = count;
            return this;
        }

        public Builder maxProbeInterval(Duration interval) {
            this.maxProbeInterval = interval;
            return this;
        }

        public Builder cookieLifetime(Duration lifetime) {
            this.cookieLifetime = lifetime;
            return this;
        }

        public Builder maxPendingUnreliable(int frames) {
            this.maxPendingUnreliable = frames;
            return this;
        }

        public Builder receiveSockets(int sockets) {
            this.receiveSockets = sockets;
            return this;
        }

        public Builder congestionControl(CongestionControl controller) {
            this.congestionControl = controller;
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting that is out of range */
        public UdpOptions build() {
            return new UdpOptions(maxPacketSize, loopbackPacketSize, initialWindowPackets, minWindowPackets, maxWindowBytes,
                    receiveWindowBytes, sendBufferBytes, reassemblyCapBytes, maxAckDelay, initialRtt,
                    maxProbeTimeouts, maxProbeInterval, cookieLifetime, maxPendingUnreliable, receiveSockets,
                    congestionControl);
        }
    }
}
