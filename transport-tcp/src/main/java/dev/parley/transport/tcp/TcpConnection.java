package dev.parley.transport.tcp;

import dev.parley.frame.FrameDecoder;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.FrameBudgetExceededException;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.AbstractConnection;
import dev.parley.transport.spi.FrameBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection, served by two threads: a reader, virtual or a daemon platform thread as
 * {@link ReaderThreads} says, and a virtual writer.
 *
 * <p>The <b>reader</b> calls {@code onOpen}, then reads the socket, decodes frames and hands each
 * to the handler, and at the end calls {@code onClose}; it is the only thread that calls the
 * handler. The idle timeout counts from the read that brought the last whole frame or keepalive,
 * not from the last byte: a peer that trickles bytes without ever finishing a frame (a slowloris)
 * is closed as idle just like a silent one. Time a handler spends on a frame does not count: the
 * reader reads nothing meanwhile, so what the peer sent waits in the socket, and the clock
 * restarts when the handler of a read's last frame returns ({@link ConnectionHandler} lets a
 * handler block). The reader enforces it by setting the socket's read timeout, before each read,
 * to what is left of it. On a clean end of stream it lets the writer finish, then closes
 * the socket.
 *
 * <p>Writing takes the <b>output lock</b>, a {@link ReentrantLock} (a virtual thread blocked in a
 * write under {@code synchronized} would pin its carrier on JDK 21), which guards the socket's
 * output and the write buffer. A frame reaches the socket in one of three ways:
 * <ul>
 * <li><b>write-through</b>: {@link #send} writes the frame itself, on the sending thread, when the
 * output lock is free, the outbound queue is empty and open, and nothing was written for a short
 * gap ({@value AbstractConnection#BURST_GAP_NANOS} ns: a send sooner than that is part of a burst, which the writer
 * coalesces better), holding the lock from that check to the end of the write. A request or
 * reply on an otherwise quiet connection thus costs no thread hand-off.
 * A write-through blocks while the socket's send buffer is full, which is the backpressure
 * {@code send} promises (with no queue in between: the kernel's buffer is the slack). If it
 * fails, the connection is aborted and {@code send} throws the close cause. It is skipped when
 * the sending thread is interrupted (the JDK closes a socket whose virtual thread is
 * interrupted in a write). {@link #trySend} never writes through, since it must never wait.
 * <li><b>batched replies, from the reader</b>: what the handler sends with {@link #sendBatched}
 * while it handles the frames of one read is queued without waking the writer, and once it has
 * had them all the reader writes what is queued itself, in one write, if the output lock is free
 * (else the writer does): the replies to a burst of requests cost no thread hand-off
 * ({@link #sendHeld}).
 * <li><b>the writer</b> virtual thread: every other frame is queued, and the writer, woken by the
 * queue, takes the output lock, drains the queue in batches and copies small frames, header and
 * payload, into one buffer, so that a burst of frames costs one {@code write}. It drains only
 * while holding the lock, so a write-through never overtakes a queued frame, and each thread's
 * frames keep their order.
 * </ul>
 * When nothing was written for the keepalive interval the writer writes a keepalive. When the
 * queue is closed and empty (a graceful close by either side) it takes the output lock, so that a
 * write-through admitted before the close finishes first, and shuts the socket's output, which
 * the peer reads as the end of the stream.
 *
 * <p>The read and write buffers are {@link ElasticBuffer}s: an idle connection holds
 * {@value #IDLE_READ_BUFFER_BYTES} and {@value #IDLE_WRITE_BUFFER_BYTES} bytes; they grow up to
 * {@value #MAX_BUFFER_BYTES} while data flows and shrink back once unneeded for a second (the
 * reader before its next read, the writer after a batch that emptied the queue or at a keepalive).
 *
 * <p>An abort, from any thread, sets {@code SO_LINGER} to 0 and closes the TCP socket (under TLS,
 * the one beneath the TLS socket), so the peer sees a reset and both threads here wake with an
 * exception and end.
 */
final class TcpConnection extends AbstractConnection {

    private static final Logger log = LoggerFactory.getLogger(TcpConnection.class);
    /** Largest block read or written at once; buffers grow to it while data flows. */
    private static final int MAX_BUFFER_BYTES = 64 * 1024;
    /** What each buffer shrinks back to when its flow stops: most of an idle connection's heap. */
    private static final int IDLE_READ_BUFFER_BYTES = 1024;
    private static final int IDLE_WRITE_BUFFER_BYTES = 256;
    /**
     * How long a grown buffer is kept after it was last needed: a flow that pauses for less keeps
     * it; an idle connection shrinks its buffers at the next keepalive after this.
     */
    private static final long SHRINK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The {@code bufferBytes} statistic of a connection whose flows have stopped. */
    static final long IDLE_BUFFER_BYTES = IDLE_READ_BUFFER_BYTES + IDLE_WRITE_BUFFER_BYTES;

    private final Socket socket;
    /** The TCP socket under {@code socket}: itself, or the one a TLS socket is layered on. */
    private final Socket tcpSocket;
    private final InputStream in;
    private final OutputStream out;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final TransportOptions options;
    private final FrameDecoder decoder;
    private final CountDownLatch openedSignal = new CountDownLatch(1);
    private final AtomicLong keepAlivesSent = new AtomicLong();
    private final AtomicLong keepAlivesReceived = new AtomicLong();
    private final Thread writer;
    private final ReaderThreads readers;
    /** Used only by the reader. */
    private final ElasticBuffer readBuffer = new ElasticBuffer(IDLE_READ_BUFFER_BYTES, MAX_BUFFER_BYTES);
    private final ReentrantLock outputLock = new ReentrantLock();
    /** The reader's, for {@link #sendHeld}; guarded by {@link #outputLock}. */
    private final List<byte[]> heldReplies = new ArrayList<>();
    /** Guarded by {@link #outputLock}. */
    private final ElasticBuffer writeBuffer = new ElasticBuffer(IDLE_WRITE_BUFFER_BYTES, MAX_BUFFER_BYTES);
    private final long keepAliveNanos;
    /** When the last frame or keepalive was written; written under {@link #outputLock}. */
    private volatile long lastWriteNanos = System.nanoTime();

    /**
     * Configures {@code socket}, which must be connected; {@link #start()} sets it to work.
     * {@code tcpSocket} is the same socket, or the one under {@code socket} if that is a TLS
     * socket whose handshake is done: an abort resets {@code tcpSocket} directly, since closing
     * the TLS socket would first send TLS's orderly close_notify, which the peer takes for a
     * graceful close. Frames longer than {@link FrameBudget#ALLOWANCE} reserve their length in
     * {@code budget}, which a listener shares among its connections.
     */
    TcpConnection(Socket socket, Socket tcpSocket, ConnectionHandler handler, TransportOptions options,
                  ReaderThreads readers, FrameBudget budget) throws IOException {
        super(TcpTransport.NAME, handler, options);
        this.socket = socket;
        this.tcpSocket = tcpSocket;
        this.options = options;
        this.decoder = new FrameDecoder(options.maxFrameLength(), budget);
        this.keepAliveNanos = options.keepAliveInterval().isZero()
                ? Long.MAX_VALUE : options.keepAliveInterval().toNanos();
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.local = socket.getLocalSocketAddress();
        this.remote = socket.getRemoteSocketAddress();
        this.writer = Thread.ofVirtual().name("parley-tcp-writer-" + id()).unstarted(this::writeLoop);
        this.readers = readers;
    }

    /**
     * Wraps the connected client {@code socket}, over {@code tcpSocket} (the same socket unless it
     * is TLS), read by a thread of the kind {@code readers}, and returns once the handler's
     * {@code onOpen} has run; closes the socket if that fails.
     */
    static TcpConnection open(Socket socket, Socket tcpSocket, ConnectionHandler handler, TransportOptions options,
                              ReaderThreads readers) throws IOException {
        TcpConnection connection;
        try {
            connection = new TcpConnection(socket, tcpSocket, handler, options, readers, FrameBudget.unlimited());
        } catch (IOException | RuntimeException e) {
            tcpSocket.close();
            throw e;
        }
        connection.start();
        connection.awaitOpened();
        return connection;
    }

    /** {@code duration} in whole milliseconds for socket options: at least 1, at most {@code int}'s limit. */
    static int millis(Duration duration) {
        return (int) Math.clamp(duration.toMillis(), 1, Integer.MAX_VALUE);
    }

    /** {@code address} as {@code host:port}, {@code [host]:port} for IPv6, for thread names. */
    private static String hostAndPort(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            return String.valueOf(address);
        }
        String host = inet.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }

    /** Starts the writer and the reader; the reader calls {@code onOpen} first. */
    void start() {
        log.debug("connection {} open: {} -> {}", id(), local, remote);
        writer.start();
        readers.start("parley-tcp-reader-" + id() + "-" + hostAndPort(remote), this::readLoop);
    }

    private void awaitOpened() throws InterruptedIOException {
        try {
            openedSignal.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(e);
            throw new InterruptedIOException("interrupted while waiting for onOpen");
        }
    }

    // ---- reader thread ----

    private void readLoop() {
        opened();
        openedSignal.countDown();
        try {
            if (readUntilEndOfStream()) {
                if (peerClosed()) {
                    startCloseTimer();
                }
                awaitWriter();
            }
        } catch (SocketTimeoutException e) {
            fail(new ConnectionClosedException(Reason.IDLE_TIMEOUT,
                    "no whole frame or keepalive arrived for the idle timeout of " + options.idleTimeout(), e));
        } catch (FrameTooLongException e) {
            fail(new ConnectionClosedException(Reason.PROTOCOL_ERROR, "the peer announced " + e.getMessage()
                    + (looksLikeTls(e.length()) ? " (its first bytes look like TLS: is it a TLS server or client?)" : ""), e));
        } catch (FrameBudgetExceededException e) {
            fail(new ConnectionClosedException(Reason.OVERLOADED, e.getMessage(), e));
        } catch (IOException e) {
            fail(ioFailure("read", e));
        } finally {
            decoder.discard();
        }
        if (isAborted()) {
            reset();
        } else {
            closeSocket();
        }
        finished(new ConnectionClosedException(Reason.CLOSED_BY_PEER, "closed by the peer"));
        log.debug("connection {} closed: {}", id(), closeFuture().join().getMessage());
    }

    /**
     * True if nothing has arrived yet and a refused length prefix reads like the start of a TLS
     * record (content type 20 to 23, version 3.x): a plain connection talking to a TLS peer.
     */
    private boolean looksLikeTls(long announcedLength) {
        int contentType = (int) (announcedLength >>> 24);
        int majorVersion = (int) (announcedLength >>> 16) & 0xff;
        return stats().framesReceived() == 0 && keepAlivesReceived.get() == 0
                && contentType >= 20 && contentType <= 23 && majorVersion == 3;
    }

    /**
     * Delivers frames until the stream ends or the connection is aborted.
     *
     * @return true if the stream ended cleanly, between two frames
     */
    private boolean readUntilEndOfStream() throws IOException {
        long idleNanos = options.idleTimeout().toNanos();
        long lastFrameNanos = System.nanoTime();
        while (!isAborted()) {
            long now = System.nanoTime();
            if (idleNanos > 0) {
                long left = lastFrameNanos + idleNanos - now;
                if (left <= 0) {
                    throw new SocketTimeoutException("idle timeout");
                }
                // Rounded up: a read that timed out must not end the connection before the deadline.
                socket.setSoTimeout(millis(Duration.ofNanos(left + 999_999)));
            }
            if (readBuffer.unneededFor(SHRINK_AFTER_NANOS, now) && in.available() == 0) {
                readBuffer.shrink(); // the flow stopped: wait for the next byte holding only a small buffer
            }
            byte[] bytes = readBuffer.buffer().array();
            int n = in.read(bytes);
            if (n < 0) {
                if (decoder.isMidFrame()) {
                    fail(new ConnectionClosedException(Reason.RESET_BY_PEER, "the stream ended in the middle of a frame"));
                    return false;
                }
                return true;
            }
            long receivedNanos = System.nanoTime();
            // A full read means the socket had more than fitted: read bigger blocks.
            readBuffer.ensure(n == bytes.length ? 2L * n : n, receivedNanos);
            var buffer = ByteBuffer.wrap(bytes, 0, n);
            holdSends();
            try {
                boolean delivered = false;
                while (buffer.hasRemaining()) {
                    int whole = decoder.takeWholeFrame(buffer);
                    if (whole > 0) {
                        // Handed over where it lies, not copied: the handler has it until it returns.
                        deliver(bytes, buffer.position(), whole);
                        buffer.position(buffer.position() + whole);
                        delivered = true;
                        continue;
                    }
                    byte[] frame = decoder.decode(buffer);
                    if (frame == FrameDecoder.KEEPALIVE) {
                        keepAlivesReceived.incrementAndGet();
                        lastFrameNanos = Math.max(lastFrameNanos, receivedNanos);
                    } else if (frame != null) {
                        deliver(frame);
                        delivered = true;
                    }
                }
                if (delivered) {
                    // The handlers may have blocked; what the peer sent meanwhile waits unread. The
                    // clock is read once per read, not per frame: on a VM a read costs tens of
                    // nanoseconds (26 on the 2-core test machine), a tenth of a small message's cost.
                    lastFrameNanos = System.nanoTime();
                }
            } finally {
                releaseSends();
            }
        }
        return false;
    }

    /** Waits for the writer to send what is queued and shut the output; the close timer bounds it. */
    private void awaitWriter() {
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new ConnectionClosedException(Reason.ABORTED, "interrupted while finishing the close", e));
        }
    }

    // ---- sending threads ----

    /** Writes {@code frame} on this thread if the connection is idle; see the class comment. */
    @Override
    protected boolean writeThrough(byte[] frame) throws IOException {
        // Frames waiting rule a write-through out before the clock is read: in a burst they mostly do.
        if (!queue().isEmptyAndOpen() || System.nanoTime() - lastWriteNanos < BURST_GAP_NANOS
                || Thread.currentThread().isInterrupted() || !outputLock.tryLock()) {
            return false;
        }
        try {
            if (!queue().isEmptyAndOpen()) {
                return false;
            }
            writeFrames(List.of(frame));
            return true;
        } catch (IOException e) {
            ConnectionClosedException failure = ioFailure("write", e);
            fail(failure);
            // A thread that failed the connection first may not have recorded its cause yet.
            throw closeCause() == null || closeCause() == failure ? failure : closedForSend();
        } finally {
            outputLock.unlock();
        }
    }

    /**
     * Writes the replies the handler batched to the frames of one read, on the reader, in one write,
     * when the output lock is free (else the writer, which holds it or is woken, takes them): a
     * burst of requests costs its replies no thread hand-off. What does not fit one buffer is
     * left to the writer.
     */
    @Override
    protected void sendHeld() {
        if (Thread.currentThread().isInterrupted() || !outputLock.tryLock()) {
            queue().wakeWriter();
            return;
        }
        try {
            if (queue().drainTo(heldReplies, MAX_BUFFER_BYTES, 0, TimeUnit.NANOSECONDS) > 0) {
                writeFrames(heldReplies);
            }
        } catch (IOException e) {
            fail(ioFailure("write", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // not waited for: drainTo with no timeout does not wait
        } finally {
            heldReplies.clear();
            outputLock.unlock();
        }
        queue().wakeWriter();
    }

    // ---- writer thread ----

    private void writeLoop() {
        var batch = new ArrayList<byte[]>();
        try {
            while (true) {
                boolean ready = queue().awaitFramesOrClose(nanosUntilKeepAlive());
                outputLock.lock();
                try {
                    if (!ready) {
                        writeKeepAliveIfDue();
                        continue;
                    }
                    if (queue().drainTo(batch, MAX_BUFFER_BYTES, 0, TimeUnit.NANOSECONDS) < 0) {
                        if (!isAborted()) {
                            socket.shutdownOutput();
                        }
                        return;
                    }
                    writeFrames(batch);
                    batch.clear();
                } finally {
                    outputLock.unlock();
                }
            }
        } catch (IOException e) {
            fail(ioFailure("write", e));
        } catch (InterruptedException e) {
            fail(new ConnectionClosedException(Reason.ABORTED, "the writer was interrupted", e));
        }
    }

    private long nanosUntilKeepAlive() {
        return keepAliveNanos == Long.MAX_VALUE ? Long.MAX_VALUE : lastWriteNanos + keepAliveNanos - System.nanoTime();
    }

    /** Writes a keepalive unless a write-through wrote something in the meantime. Holds the output lock. */
    private void writeKeepAliveIfDue() throws IOException {
        if (nanosUntilKeepAlive() <= 0) {
            writeBuffer.shrink(); // nothing was written for a keepalive interval
            ByteBuffer buffer = writeBuffer.buffer();
            FrameDecoder.writeHeader(buffer, 0);
            flush(buffer);
            lastWriteNanos = System.nanoTime();
            keepAlivesSent.incrementAndGet();
        }
    }

    /**
     * Writes {@code frames} in order, coalescing small ones in the write buffer, grown to fit them;
     * a buffer unneeded for a while once the queue is empty shrinks back. Holds the output lock.
     */
    private void writeFrames(List<byte[]> frames) throws IOException {
        long payloadBytes = 0;
        for (byte[] frame : frames) {
            payloadBytes += frame.length;
        }
        long now = System.nanoTime();
        ByteBuffer buffer = writeBuffer.ensure(payloadBytes + (long) frames.size() * FrameDecoder.HEADER_BYTES, now);
        for (byte[] frame : frames) {
            if (buffer.remaining() < FrameDecoder.HEADER_BYTES) {
                flush(buffer);
            }
            FrameDecoder.writeHeader(buffer, frame.length);
            if (frame.length <= buffer.remaining()) {
                buffer.put(frame);
            } else {
                // Too big to coalesce: copying it through the buffer would only add writes.
                flush(buffer);
                out.write(frame);
            }
        }
        flush(buffer);
        lastWriteNanos = System.nanoTime();
        recordSent(frames.size(), payloadBytes);
        if (queue().isEmpty() && writeBuffer.unneededFor(SHRINK_AFTER_NANOS, now)) {
            writeBuffer.shrink();
        }
    }

    private void flush(ByteBuffer buffer) throws IOException {
        if (buffer.position() > 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    // ---- closing, any thread ----

    @Override
    protected void onCloseRequested() {
        startCloseTimer();
    }

    @Override
    protected void onAbort(ConnectionClosedException cause) {
        log.debug("connection {} aborted: {}", id(), cause.getMessage());
        reset();
    }

    /**
     * Bounds a graceful close: if the queue is not drained and the peer has not closed its side
     * within the close timeout, resets the connection.
     */
    private void startCloseTimer() {
        Duration timeout = options.closeTimeout();
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (!closeFuture().isDone()) {
                fail(new ConnectionClosedException(Reason.ABORTED, "graceful close did not finish within " + timeout));
            }
        });
    }

    /** Closes the socket so that the peer sees a reset (RST) rather than an end of stream (FIN). */
    private void reset() {
        TcpListener.reset(tcpSocket);
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("connection {}: closing the socket failed", id(), e);
        }
    }

    private static ConnectionClosedException ioFailure(String operation, IOException e) {
        return new ConnectionClosedException(isReset(e) ? Reason.RESET_BY_PEER : Reason.IO_ERROR,
                operation + " failed: " + e.getMessage(), e);
    }

    /** The JDK tells ECONNRESET and EPIPE apart from other socket errors only by their message. */
    private static boolean isReset(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return e instanceof SocketException && (message.contains("reset") || message.contains("broken pipe"));
    }

    @Override
    protected Map<String, Long> details() {
        var details = new LinkedHashMap<String, Long>();
        details.put("keepAlivesSent", keepAlivesSent.get());
        details.put("keepAlivesReceived", keepAlivesReceived.get());
        details.put("bufferBytes", (long) readBuffer.capacity() + writeBuffer.capacity());
        return details;
    }

    /** The socket frames travel over: a TLS socket on a TLS transport. */
    Socket socket() {
        return socket;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }
}
