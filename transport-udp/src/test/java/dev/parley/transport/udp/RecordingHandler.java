package dev.parley.transport.udp;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionHandler;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A handler that records what it is told, for tests: connections opened, frames in arrival order,
 * close causes. Optionally echoes frames back, or holds each frame until {@link #release} (to stop
 * reading). Thread-safe.
 */
final class RecordingHandler implements ConnectionHandler {

    final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    final List<Thread> callingThreads = new CopyOnWriteArrayList<>();
    final CompletableFuture<ConnectionClosedException> firstClose = new CompletableFuture<>();
    final BlockingQueue<ConnectionClosedException> closes = new LinkedBlockingQueue<>();
    private final boolean echo;
    private final CountDownLatch gate;

    private RecordingHandler(boolean echo, CountDownLatch gate) {
        this.echo = echo;
        this.gate = gate;
    }

    static RecordingHandler recording() {
        return new RecordingHandler(false, new CountDownLatch(0));
    }

    static RecordingHandler echoing() {
        return new RecordingHandler(true, new CountDownLatch(0));
    }

    /** Blocks in {@code onFrame} until {@link #release}: a reader that stopped reading. */
    static RecordingHandler stalled() {
        return new RecordingHandler(false, new CountDownLatch(1));
    }

    void release() {
        gate.countDown();
    }

    @Override
    public void onOpen(Connection connection) {
        callingThreads.add(Thread.currentThread());
        opened.add(connection);
    }

    @Override
    public void onFrame(Connection connection, byte[] frame) {
        callingThreads.add(Thread.currentThread());
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            if (echo) {
                connection.send(frame);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        frames.add(frame);
    }

    @Override
    public void onClose(Connection connection, ConnectionClosedException cause) {
        closes.add(cause);
        firstClose.complete(cause);
    }

    Connection awaitOpen() throws InterruptedException {
        Connection c = opened.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no connection opened within 10 s");
        }
        return c;
    }

    byte[] awaitFrame() throws InterruptedException {
        byte[] f = frames.poll(10, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame within 10 s");
        }
        return f;
    }

    ConnectionClosedException awaitClose() throws Exception {
        return firstClose.get(10, TimeUnit.SECONDS);
    }
}
