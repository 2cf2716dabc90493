package dev.parley.server.hostile;

import dev.parley.codec.Codec;
import dev.parley.frame.FrameDecoder;

import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An attacker's end of a TCP connection: writes whatever bytes a test chooses, framed or not, and
 * reads back what the server says until it closes. Used by one test thread at a time, except that
 * one thread may write while another waits in {@link #awaitClosedByServer()}.
 */
final class RawClient implements AutoCloseable {

    /** How long a read waits for the server before the test fails. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final Codec CODEC = Codec.defaults();

    private final Socket socket;
    private final InputStream in;
    private final FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE);

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    static RawClient connect(SocketAddress server) throws IOException {
        var socket = new Socket();
        socket.connect(server, (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return new RawClient(socket);
    }

    /** Writes {@code bytes} as they are, no length prefix added. */
    void writeRaw(byte... bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Writes a length prefix of {@code length} as the 32 bits the framer reads. */
    void writeLengthPrefix(int length) throws IOException {
        writeRaw(ByteBuffer.allocate(FrameDecoder.HEADER_BYTES).putInt(length).array());
    }

    /** Writes {@code payload} as one well-formed frame, however hostile its content. */
    void writeFrame(byte[] payload) throws IOException {
        writeRaw(ByteBuffer.allocate(FrameDecoder.HEADER_BYTES + payload.length)
                .putInt(payload.length).put(payload).array());
    }

    /** Encodes {@code message} with Parley's codec and writes it as one frame. */
    void writeMessage(Object message) throws IOException {
        writeFrame(CODEC.encode(message));
    }

    /** Reads the next message the server sends within {@link #TIMEOUT}, passing over keepalives. */
    Object readMessage() throws IOException {
        return readMessage(System.nanoTime() + TIMEOUT.toNanos());
    }

    private Object readMessage(long deadline) throws IOException {
        byte[] bytes = new byte[1];
        while (true) {
            if (System.nanoTime() - deadline > 0) {
                throw new SocketTimeoutException("no message within " + TIMEOUT);
            }
            int n = in.read(bytes);
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            byte[] frame = decoder.decode(ByteBuffer.wrap(bytes, 0, n));
            if (frame != null && frame != FrameDecoder.KEEPALIVE) {
                return CODEC.decode(frame);
            }
        }
    }

    /**
     * Reads until the server ends the connection (an end of stream or a reset) and returns the
     * messages it sent first.
     *
     * @throws AssertionError if the server keeps the connection open for {@link #TIMEOUT}, even
     *                        if it sends keepalives
     */
    List<Object> awaitClosedByServer() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<Object> received = new ArrayList<>();
        while (true) {
            try {
                received.add(readMessage(deadline));
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept the connection open for " + TIMEOUT
                        + "; it sent " + received, e);
            } catch (IOException e) {
                return received;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
