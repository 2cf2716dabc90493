package dev.parley.transport.udp.internal;

import dev.parley.transport.udp.internal.MalformedPacketException.Kind;
import dev.parley.transport.udp.UdpOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes and reads the packets of the reliable UDP protocol. Stateless; any thread (a
 * {@link Writer} belongs to one thread at a time).
 *
 * <p>Every packet is one datagram: a fixed header, a body that depends on the type, and a CRC32C
 * of everything before it. Integers are big-endian; {@code varint} is QUIC's (see {@link VarInt}).
 *
 * <pre>
 *  0        1        2                                   10                                  18
 * +--------+--------+-----------------------------------+-----------------------------------+
 * |version |  type  |  destination connection id (8)    |  packet number (8)                |
 * +--------+--------+-----------------------------------+-----------------------------------+
 * |  body ...                                                                               |
 * +-----------------------------------------------------------------------------------------+
 * |  CRC32C (4) of every byte above                                                         |
 * +-----------------------------------------------------------------------------------------+
 *
 * type 1 INITIAL  (client to server; connection id 0; padded with zeros to at least 1200 bytes)
 *   | source connection id (8) | parameters (12) | cookie length (1) | cookie | zeros ... |
 * type 2 RETRY    (packet number echoes the INITIAL's)   | cookie length (1) | cookie |
 * type 3 ACCEPT   (packet number echoes the INITIAL's)   | server connection id (8) | parameters (12) |
 * type 4 REFUSED  (packet number echoes the INITIAL's)   | (empty) |
 * type 5 DATA     | frame | frame | ... |    (packet numbers only grow, from 0, never reused)
 *
 * parameters, the sender's {@link TransportParameters}:
 *   | receive window, bytes (4) | max ack delay, us (4) | idle timeout, ms (4; 0 for none) |
 *
 * frames in DATA, each introduced by one type byte:
 *   0x01 ACK      | largest (v) | ack delay us (v) | byte limit (v) | extra ranges (v) | first range (v) |
 *                 | then per extra range: gap (v) | length (v) |           (ranges as in RFC 9000 §19.3)
 *   0x02 CHUNK    | seq (v) | frame length (v) | offset (v) | length (v) | bytes |
 *                                                (a fragment of a frame too big for one packet)
 *   0x03 DATAGRAM | length (v) | bytes |          (unreliable, unordered, whole frame)
 *   0x04 PING     |                                (asks for an acknowledgement)
 *   0x05 FIN      | final seq (v) |                (graceful close: no fragment from final seq on)
 *   0x06 RESET    | reason (1) |                   (abrupt close)
 *   0x07 BATCH    | seq (v) | count (v) | then per frame: length (v) | bytes |
 *                                                (whole frames, one fragment sequence number for all)
 * </pre>
 *
 * <p>Packet numbers order packets; fragment sequence numbers ({@code seq}) order the reliable byte
 * stream. A retransmitted fragment travels in a new packet with a new number, so every
 * acknowledgement names exactly one transmission and every RTT sample is unambiguous. Frames that
 * fit a packet whole travel in a BATCH, many to one sequence number, so the per-fragment work of
 * both sides (numbering, acknowledgement, reassembly) is paid once per batch, not once per frame.
 */
public final class PacketCodec {

    /**
     * The protocol version this code speaks: 2 since whole frames travel in BATCH frames, which a
     * version 1 peer cannot read (it would accept the handshake and then drop every data packet);
     * 3 since INITIAL and ACCEPT carry the sender's max ack delay; 4 since they carry its idle
     * timeout too (a version 3 peer would read the parameters short).
     */
    public static final int VERSION = 4;
    /**
     * The longest max ack delay a peer may announce ({@link UdpOptions#MAX_ACK_DELAY_LIMIT}); a
     * handshake packet announcing more is malformed.
     */
    public static final long MAX_ACK_DELAY_MICROS = UdpOptions.MAX_ACK_DELAY_LIMIT.toNanos() / 1000;
    /** Bytes before the body. */
    public static final int HEADER_LENGTH = 18;
    /** The CRC32C trailer. */
    public static final int CHECKSUM_LENGTH = 4;
    /** Bytes of the {@link TransportParameters} in INITIAL and ACCEPT. */
    static final int PARAMETERS_LENGTH = 12;
    /** Largest cookie a RETRY can carry. */
    public static final int MAX_COOKIE_LENGTH = 64;
    /** Most bytes a CHUNK frame's header takes (type and four varints, within their ranges). */
    public static final int MAX_CHUNK_HEADER = 1 + 8 + 4 + 4 + 4;
    /** Room kept for an ACK frame in a packet that carries data. */
    public static final int ACK_RESERVE = 64;

    static final int TYPE_INITIAL = 1;
    static final int TYPE_RETRY = 2;
    static final int TYPE_ACCEPT = 3;
    static final int TYPE_REFUSED = 4;
    static final int TYPE_DATA = 5;

    static final int FRAME_ACK = 1;
    static final int FRAME_CHUNK = 2;
    static final int FRAME_DATAGRAM = 3;
    static final int FRAME_PING = 4;
    static final int FRAME_FIN = 5;
    static final int FRAME_RESET = 6;
    static final int FRAME_BATCH = 7;

    private PacketCodec() {
    }

    /** The largest fragment that always fits a packet of {@code maxPacketSize}, next to an ACK. */
    public static int maxChunkData(int maxPacketSize) {
        return maxPacketSize - HEADER_LENGTH - CHECKSUM_LENGTH - ACK_RESERVE - MAX_CHUNK_HEADER;
    }

    /** The largest unreliable frame that fits a packet of {@code maxPacketSize}. */
    public static int maxDatagramData(int maxPacketSize) {
        return maxChunkData(maxPacketSize);
    }

    /** An INITIAL, padded to {@link UdpOptions#MIN_INITIAL_PACKET_SIZE} bytes. */
    public static byte[] initial(long packetNumber, long sourceConnectionId, TransportParameters parameters,
                                 byte[] cookie) {
        if (cookie.length > MAX_COOKIE_LENGTH) {
            throw new IllegalArgumentException("cookie too long: " + cookie.length);
        }
        byte[] buf = new byte[UdpOptions.MIN_INITIAL_PACKET_SIZE];
        int pos = header(buf, TYPE_INITIAL, 0, packetNumber);
        pos = putLong(buf, pos, sourceConnectionId);
        pos = putParameters(buf, pos, parameters);
        buf[pos++] = (byte) cookie.length;
        System.arraycopy(cookie, 0, buf, pos, cookie.length);
        seal(buf, buf.length);
        return buf;
    }

    /** A RETRY carrying {@code cookie} to the client {@code clientConnectionId}. */
    public static byte[] retry(long clientConnectionId, long echoedPacketNumber, byte[] cookie) {
        byte[] buf = new byte[HEADER_LENGTH + 1 + cookie.length + CHECKSUM_LENGTH];
        int pos = header(buf, TYPE_RETRY, clientConnectionId, echoedPacketNumber);
        buf[pos++] = (byte) cookie.length;
        System.arraycopy(cookie, 0, buf, pos, cookie.length);
        seal(buf, buf.length);
        return buf;
    }

    /** An ACCEPT naming the server's connection id and its parameters. */
    public static byte[] accept(long clientConnectionId, long echoedPacketNumber, long serverConnectionId,
                                TransportParameters parameters) {
        byte[] buf = new byte[HEADER_LENGTH + 8 + PARAMETERS_LENGTH + CHECKSUM_LENGTH];
        int pos = header(buf, TYPE_ACCEPT, clientConnectionId, echoedPacketNumber);
        pos = putLong(buf, pos, serverConnectionId);
        putParameters(buf, pos, parameters);
        seal(buf, buf.length);
        return buf;
    }

    /** A REFUSED answer to an INITIAL with a good cookie. */
    public static byte[] refused(long clientConnectionId, long echoedPacketNumber) {
        byte[] buf = new byte[HEADER_LENGTH + CHECKSUM_LENGTH];
        header(buf, TYPE_REFUSED, clientConnectionId, echoedPacketNumber);
        seal(buf, buf.length);
        return buf;
    }

    /**
     * Decodes the first {@code length} bytes of {@code buf}. Fragment and datagram bytes are copied,
     * so the buffer can be reused.
     *
     * @throws MalformedPacketException if the bytes are not a valid packet
     */
    public static Packet decode(byte[] buf, int length) throws MalformedPacketException {
        if (length < HEADER_LENGTH + CHECKSUM_LENGTH) {
            throw new MalformedPacketException(Kind.TRUNCATED, "datagram of " + length + " bytes is too short");
        }
        var crc = new CRC32C();
        crc.update(buf, 0, length - CHECKSUM_LENGTH);
        if ((int) crc.getValue() != getInt(buf, length - CHECKSUM_LENGTH)) {
            throw new MalformedPacketException(Kind.CHECKSUM, "checksum mismatch");
        }
        if (buf[0] != VERSION) {
            throw new MalformedPacketException(Kind.VERSION, "unknown version " + (buf[0] & 0xff));
        }
        var in = new Reader(buf, HEADER_LENGTH, length - CHECKSUM_LENGTH);
        int type = buf[1];
        long connectionId = getLong(buf, 2);
        long packetNumber = getLong(buf, 10);
        if (packetNumber < 0) {
            throw new MalformedPacketException(Kind.INVALID, "negative packet number");
        }
        return switch (type) {
            case TYPE_INITIAL -> {
                if (length < UdpOptions.MIN_INITIAL_PACKET_SIZE) {
                    throw new MalformedPacketException(Kind.INVALID, "INITIAL of " + length + " bytes is not padded");
                }
                long source = in.u64();
                yield new Packet.Initial(connectionId, packetNumber, source, parameters(in), in.bytes(in.u8()));
            }
            case TYPE_RETRY -> new Packet.Retry(connectionId, packetNumber, in.end(in.bytes(in.u8())));
            case TYPE_ACCEPT -> {
                long server = in.u64();
                yield new Packet.Accept(connectionId, packetNumber, server, in.end(parameters(in)));
            }
            case TYPE_REFUSED -> {
                in.end(null);
                yield new Packet.Refused(connectionId, packetNumber);
            }
            case TYPE_DATA -> new Packet.Data(connectionId, packetNumber, Collections.unmodifiableList(frames(in)));
            default -> throw new MalformedPacketException(Kind.INVALID, "unknown packet type " + type);
        };
    }

    private static TransportParameters parameters(Reader in) throws MalformedPacketException {
        long window = Integer.toUnsignedLong(in.u32());
        long ackDelayMicros = Integer.toUnsignedLong(in.u32());
        if (ackDelayMicros > MAX_ACK_DELAY_MICROS) {
            throw new MalformedPacketException(Kind.INVALID, "max ack delay of " + ackDelayMicros + " us is over "
                    + MAX_ACK_DELAY_MICROS);
        }
        return new TransportParameters(window, ackDelayMicros, Integer.toUnsignedLong(in.u32()));
    }

    private static int putParameters(byte[] buf, int pos, TransportParameters parameters) {
        long micros = parameters.maxAckDelayMicros();
        if (micros < 0 || micros > MAX_ACK_DELAY_MICROS) {
            throw new IllegalArgumentException("max ack delay of " + micros + " us is outside 0.." + MAX_ACK_DELAY_MICROS);
        }
        long idleMillis = parameters.idleTimeoutMillis();
        if (idleMillis < 0 || idleMillis > TransportParameters.MAX_IDLE_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("idle timeout of " + idleMillis + " ms is outside 0.."
                    + TransportParameters.MAX_IDLE_TIMEOUT_MILLIS);
        }
        pos = putInt(buf, pos, (int) parameters.receiveWindow());
        pos = putInt(buf, pos, (int) micros);
        return putInt(buf, pos, (int) idleMillis);
    }

    private static List<Frame> frames(Reader in) throws MalformedPacketException {
        // Small frames share a BATCH, so a packet holds a few frames (an ACK, a batch or a fragment or
        // two, perhaps a FIN) however big it is.
        var frames = new ArrayList<Frame>(4);
        while (in.hasMore()) {
            int type = in.u8();
            frames.add(switch (type) {
                case FRAME_ACK -> ack(in);
                case FRAME_CHUNK -> {
                    long seq = in.varint();
                    int frameLength = in.intVarint();
                    int offset = in.intVarint();
                    int len = in.intVarint();
                    if (len == 0 || (long) offset + len > frameLength) {
                        throw new MalformedPacketException(Kind.INVALID, "chunk " + offset + "+" + len
                                + " outside a frame of " + frameLength);
                    }
                    yield new Frame.Chunk(seq, frameLength, offset, in.bytes(len));
                }
                case FRAME_DATAGRAM -> {
                    int len = in.intVarint();
                    if (len == 0) {
                        throw new MalformedPacketException(Kind.INVALID, "empty datagram frame");
                    }
                    yield new Frame.Datagram(in.bytes(len));
                }
                case FRAME_PING -> new Frame.Ping();
                case FRAME_FIN -> new Frame.Fin(in.varint());
                case FRAME_RESET -> new Frame.Reset(in.u8());
                case FRAME_BATCH -> batch(in);
                default -> throw new MalformedPacketException(Kind.INVALID, "unknown frame type " + type);
            });
        }
        if (frames.isEmpty()) {
            throw new MalformedPacketException(Kind.INVALID, "DATA packet without frames");
        }
        return frames;
    }

    private static Frame.Batch batch(Reader in) throws MalformedPacketException {
        long seq = in.varint();
        int count = in.intVarint();
        // every frame takes at least two bytes (its length and one byte): no allocation beyond the packet
        if (count == 0 || count > in.remaining() / 2) {
            throw new MalformedPacketException(Kind.INVALID, "batch of " + count + " frames in "
                    + in.remaining() + " bytes");
        }
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            int len = in.intVarint();
            if (len == 0) {
                throw new MalformedPacketException(Kind.INVALID, "empty frame in a batch");
            }
            frames[i] = in.bytes(len);
        }
        return new Frame.Batch(seq, frames);
    }

    private static Frame.Ack ack(Reader in) throws MalformedPacketException {
        long largest = in.varint();
        long delay = in.varint();
        long byteLimit = in.varint();
        long extra = in.varint();
        long first = in.varint();
        if (first > largest || extra > 1024) {
            throw new MalformedPacketException(Kind.INVALID, "ack range out of bounds");
        }
        var ranges = new ArrayList<Frame.Range>();
        long smallest = largest - first;
        ranges.add(new Frame.Range(smallest, largest));
        for (long i = 0; i < extra; i++) {
            long gap = in.varint();
            long len = in.varint();
            long high = smallest - gap - 2;
            if (high < 0 || len > high) {
                throw new MalformedPacketException(Kind.INVALID, "ack range below zero");
            }
            smallest = high - len;
            ranges.add(new Frame.Range(smallest, high));
        }
        return new Frame.Ack(ranges, delay, byteLimit);
    }

    private static int header(byte[] buf, int type, long connectionId, long packetNumber) {
        buf[0] = VERSION;
        buf[1] = (byte) type;
        putLong(buf, 2, connectionId);
        return putLong(buf, 10, packetNumber);
    }

    private static void seal(byte[] buf, int length) {
        var crc = new CRC32C();
        crc.update(buf, 0, length - CHECKSUM_LENGTH);
        putInt(buf, length - CHECKSUM_LENGTH, (int) crc.getValue());
    }

    private static int putLong(byte[] buf, int pos, long v) {
        for (int i = 7; i >= 0; i--) {
            buf[pos + i] = (byte) v;
            v >>>= 8;
        }
        return pos + 8;
    }

    private static int putInt(byte[] buf, int pos, int v) {
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
        return pos + 4;
    }

    static long getLong(byte[] buf, int pos) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        return v;
    }

    private static int getInt(byte[] buf, int pos) {
        return (buf[pos] & 0xff) << 24 | (buf[pos + 1] & 0xff) << 16 | (buf[pos + 2] & 0xff) << 8 | (buf[pos + 3] & 0xff);
    }

    /** Reads fields, failing with TRUNCATED instead of running past the end. */
    private static final class Reader {
        private final byte[] buf;
        private final int limit;
        private int pos;

        Reader(byte[] buf, int pos, int limit) {
            this.buf = buf;
            this.pos = pos;
            this.limit = limit;
        }

        boolean hasMore() {
            return pos < limit;
        }

        int remaining() {
            return limit - pos;
        }

        private void need(int n) throws MalformedPacketException {
            if (n < 0 || limit - pos < n) {
                throw new MalformedPacketException(Kind.TRUNCATED, "field runs past the end of the packet");
            }
        }

        int u8() throws MalformedPacketException {
            need(1);
            return buf[pos++] & 0xff;
        }

        int u32() throws MalformedPacketException {
            need(4);
            int v = getInt(buf, pos);
            pos += 4;
            return v;
        }

        long u64() throws MalformedPacketException {
            need(8);
            long v = getLong(buf, pos);
            pos += 8;
            return v;
        }

        long varint() throws MalformedPacketException {
            need(1);
            int size = 1 << ((buf[pos] & 0xff) >>> 6);
            need(size);
            long v = buf[pos] & 0x3f;
            for (int i = 1; i < size; i++) {
                v = (v << 8) | (buf[pos + i] & 0xff);
            }
            pos += size;
            return v;
        }

        int intVarint() throws MalformedPacketException {
            long v = varint();
            if (v > Integer.MAX_VALUE) {
                throw new MalformedPacketException(Kind.INVALID, "length out of range: " + v);
            }
            return (int) v;
        }

        byte[] bytes(int n) throws MalformedPacketException {
            need(n);
            byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return out;
        }

        /** Checks nothing follows; returns {@code value} for chaining. */
        <T> T end(T value) throws MalformedPacketException {
            if (pos != limit) {
                throw new MalformedPacketException(Kind.INVALID, (limit - pos) + " stray bytes after the body");
            }
            return value;
        }
    }

    /**
     * Builds one DATA packet at a time into a reusable buffer: {@link #begin}, frames while
     * {@link #remaining()} allows, then {@link #finish()}. The buffer starts at {@value
     * #CONTROL_PACKET_BYTES} bytes, room for acknowledgements, a ping, a FIN or a RESET, grows
     * when a packet needs more (up to the maximum packet size) and {@link #shrink} returns to it,
     * so an idle session holds little. Not thread-safe: one per session.
     */
    public static final class Writer {
        /** Room of the smallest buffer: an ACK of every range a session keeps, a FIN or a RESET. */
        public static final int CONTROL_PACKET_BYTES = 512;

        private final int maxPacketSize;
        private byte[] buf;
        private int pos;
        private boolean ackEliciting;

        public Writer(int maxPacketSize) {
            this.maxPacketSize = maxPacketSize;
            this.buf = new byte[Math.min(CONTROL_PACKET_BYTES, maxPacketSize)];
        }

        /** Starts a DATA packet of up to the maximum packet size to {@code connectionId} numbered {@code packetNumber}. */
        public void begin(long connectionId, long packetNumber) {
            begin(connectionId, packetNumber, maxPacketSize);
        }

        /**
         * Starts a DATA packet to {@code connectionId} numbered {@code packetNumber} with room for
         * at least {@code bytes} (at most the maximum packet size), growing the buffer, at least
         * twofold, if it is smaller; a buffer grown before may leave more room.
         */
        public void begin(long connectionId, long packetNumber, int bytes) {
            int wanted = Math.min(bytes, maxPacketSize);
            if (buf.length < wanted) {
                buf = new byte[Math.min(maxPacketSize, Math.max(wanted, 2 * buf.length))];
            }
            pos = header(buf, TYPE_DATA, connectionId, packetNumber);
            ackEliciting = false;
        }

        /** Returns to the smallest buffer; call between packets, when data stopped flowing. */
        public void shrink() {
            if (buf.length > CONTROL_PACKET_BYTES) {
                buf = new byte[CONTROL_PACKET_BYTES];
            }
        }

        /** Bytes of the buffer packets are built in now. */
        public int capacity() {
            return buf.length;
        }

        /** Bytes still free for frames. */
        public int remaining() {
            return buf.length - CHECKSUM_LENGTH - pos;
        }

        /** True when no frame was written since {@link #begin}. */
        public boolean isEmpty() {
            return pos == HEADER_LENGTH;
        }

        /** True when a frame that needs an acknowledgement was written. */
        public boolean isAckEliciting() {
            return ackEliciting;
        }

        /**
         * Writes an ACK of {@code ranges} (largest first), as many ranges as fit in
         * {@code maxBytes}; at least the first must fit.
         *
         * @return how many of the ranges it carries, from the first; 0 (and nothing written) if not
         *         even the first fits
         */
        public int ack(List<Frame.Range> ranges, long ackDelayMicros, long byteLimit, int maxBytes) {
            int budget = Math.min(maxBytes, remaining());
            Frame.Range first = ranges.getFirst();
            long firstLen = first.largest() - first.smallest();
            int base = 1 + VarInt.size(first.largest()) + VarInt.size(ackDelayMicros) + VarInt.size(byteLimit)
                    + VarInt.size(firstLen);
            int extra = 0;
            int size = base + 1;
            long smallest = first.smallest();
            for (int i = 1; i < ranges.size(); i++) {
                Frame.Range r = ranges.get(i);
                int add = VarInt.size(smallest - r.largest() - 2) + VarInt.size(r.largest() - r.smallest());
                if (size + add + (VarInt.size(extra + 1) - VarInt.size(extra)) > budget) {
                    break;
                }
                size += add + (VarInt.size(extra + 1) - VarInt.size(extra));
                extra++;
                smallest = r.smallest();
            }
            if (size > budget) {
                return 0;
            }
            buf[pos++] = FRAME_ACK;
            pos = VarInt.write(buf, pos, first.largest());
            pos = VarInt.write(buf, pos, ackDelayMicros);
            pos = VarInt.write(buf, pos, byteLimit);
            pos = VarInt.write(buf, pos, extra);
            pos = VarInt.write(buf, pos, firstLen);
            smallest = first.smallest();
            for (int i = 1; i <= extra; i++) {
                Frame.Range r = ranges.get(i);
                pos = VarInt.write(buf, pos, smallest - r.largest() - 2);
                pos = VarInt.write(buf, pos, r.largest() - r.smallest());
                smallest = r.smallest();
            }
            return 1 + extra;
        }

        /** Bytes a CHUNK frame carrying {@code length} bytes takes. */
        public static int chunkSize(long seq, int frameLength, int offset, int length) {
            return 1 + VarInt.size(seq) + VarInt.size(frameLength) + VarInt.size(offset) + VarInt.size(length) + length;
        }

        /** Writes a CHUNK of {@code frame[offset, offset + length)}; the caller checked it fits. */
        public void chunk(long seq, byte[] frame, int offset, int length) {
            buf[pos++] = FRAME_CHUNK;
            pos = VarInt.write(buf, pos, seq);
            pos = VarInt.write(buf, pos, frame.length);
            pos = VarInt.write(buf, pos, offset);
            pos = VarInt.write(buf, pos, length);
            System.arraycopy(frame, offset, buf, pos, length);
            pos += length;
            ackEliciting = true;
        }

        /** Bytes a BATCH frame carrying {@code frames} takes. */
        public static int batchSize(long seq, byte[][] frames) {
            int size = 1 + VarInt.size(seq) + VarInt.size(frames.length);
            for (byte[] frame : frames) {
                size += VarInt.size(frame.length) + frame.length;
            }
            return size;
        }

        /** Writes a BATCH of whole {@code frames} numbered {@code seq}; the caller checked it fits. */
        public void batch(long seq, byte[][] frames) {
            buf[pos++] = FRAME_BATCH;
            pos = VarInt.write(buf, pos, seq);
            pos = VarInt.write(buf, pos, frames.length);
            for (byte[] frame : frames) {
                pos = VarInt.write(buf, pos, frame.length);
                System.arraycopy(frame, 0, buf, pos, frame.length);
                pos += frame.length;
            }
            ackEliciting = true;
        }

        /** Bytes a DATAGRAM frame carrying {@code length} bytes takes. */
        public static int datagramSize(int length) {
            return 1 + VarInt.size(length) + length;
        }

        /** Writes a DATAGRAM frame; the caller checked it fits. */
        public void datagram(byte[] data) {
            buf[pos++] = FRAME_DATAGRAM;
            pos = VarInt.write(buf, pos, data.length);
            System.arraycopy(data, 0, buf, pos, data.length);
            pos += data.length;
            ackEliciting = true;
        }

        public void ping() {
            buf[pos++] = FRAME_PING;
            ackEliciting = true;
        }

        public void fin(long finalSeq) {
            buf[pos++] = FRAME_FIN;
            pos = VarInt.write(buf, pos, finalSeq);
            ackEliciting = true;
        }

        public void reset(ResetCode code) {
            buf[pos++] = FRAME_RESET;
            buf[pos++] = (byte) code.wire();
        }

        /** Appends the checksum; returns the packet length. The bytes are in {@link #buffer()}. */
        public int finish() {
            int length = pos + CHECKSUM_LENGTH;
            seal(buf, length);
            pos = length;
            return length;
        }

        public byte[] buffer() {
            return buf;
        }
    }
}
