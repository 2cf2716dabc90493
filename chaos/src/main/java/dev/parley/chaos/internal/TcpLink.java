package dev.parley.chaos.internal;

import dev.parley.chaos.Direction;
import dev.parley.chaos.Ticker;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection through a {@link TcpProxy} and its connection to the upstream.
 *
 * <p><b>Threads.</b> Each direction has a reader virtual thread, which reads chunks and stamps
 * their arrival time, and a writer virtual thread, which applies the direction's toxics and writes.
 * The queue between them is bounded, so a slowed writer slows the sender (as a slow network
 * would). The timers of {@code timeout} and {@code reset_peer} run on virtual threads of their own.
 * Toxics are applied in a fixed order per chunk: partition (hold), timeout (drop), limit_data,
 * latency, then slicer and bandwidth while writing.
 */
final class TcpLink {

    private static final int CHUNK = 16 * 1024;
    private static final int QUEUED_CHUNKS = 32;
    private static final long CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long HOLD_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private record Chunk(byte[] data, long arrival) {
        boolean isEnd() {
            return data == null;
        }
    }

    private final TcpProxy proxy;
    private final Socket client;
    private final Socket server = new Socket();
    private final Ticker ticker;
    private final SplittableRandom random;
    private final ReentrantLock randomLock = new ReentrantLock();
    private final Map<String, Boolean> acting = new ConcurrentHashMap<>();
    private final Set<Toxic> timed = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean oneWayDone = new AtomicBoolean();

    TcpLink(TcpProxy proxy, Socket client, SplittableRandom random) {
        this.proxy = proxy;
        this.client = client;
        this.ticker = proxy.clock();
        this.random = random;
    }

    /** Connects upstream and starts forwarding, on a virtual thread; closes the client if that fails. */
    void start() {
        Thread.ofVirtual().name("chaos-link-" + proxy.name()).start(() -> {
            try {
                InetSocketAddress upstream = Addresses.parse(proxy.upstream());
                server.connect(new InetSocketAddress(upstream.getHostString(), upstream.getPort()),
                        (int) CONNECT_TIMEOUT_MILLIS);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                close();
                return;
            }
            startDirection(Direction.UPSTREAM, client, server);
            startDirection(Direction.DOWNSTREAM, server, client);
            toxicsChanged();
        });
    }

    /** Arms the timers of timeout and reset_peer toxics new to this link. Any thread. */
    void toxicsChanged() {
        for (Direction direction : Direction.values()) {
            for (Toxic toxic : proxy.toxicsFor(direction)) {
                boolean timer = toxic.type() == ToxicType.RESET_PEER
                        || toxic.type() == ToxicType.TIMEOUT && toxic.longAttribute("timeout") > 0;
                if (timer && acts(toxic) && timed.add(toxic)) {
                    long deadline = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(toxic.longAttribute("timeout"));
                    spawn("chaos-timer-" + toxic.name(), () -> fire(toxic, deadline));
                }
            }
        }
    }

    /** Closes both sockets (a FIN to each side) and stops every thread. Idempotent. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            TcpProxy.closeQuietly(client);
            TcpProxy.closeQuietly(server);
            List<Thread> running;
            synchronized (threads) {
                running = List.copyOf(threads);
            }
            running.forEach(Thread::interrupt);
            proxy.closed(this);
        }
    }

    /** Closes both sockets with a TCP reset (linger 0), as Toxiproxy's reset_peer. */
    void reset() {
        try {
            client.setSoLinger(true, 0);
            server.setSoLinger(true, 0);
        } catch (IOException e) {
            // The socket is closed already; close() below is all that is left to do.
        }
        close();
    }

    private void startDirection(Direction direction, Socket from, Socket to) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        spawn("chaos-read-" + direction.wireName(), () -> read(from, queue));
        spawn("chaos-write-" + direction.wireName(), () -> write(direction, queue, to));
    }

    private void spawn(String name, Runnable task) {
        synchronized (threads) {
            if (closed.get()) {
                return;
            }
            threads.add(Thread.ofVirtual().name(name).start(task));
        }
    }

    private void fire(Toxic toxic, long deadline) {
        try {
            ticker.sleepUntil(deadline);
        } catch (InterruptedException e) {
            return;
        }
        if (!proxy.stillHas(toxic)) {
            timed.remove(toxic);
            return;
        }
        if (toxic.type() == ToxicType.RESET_PEER) {
            reset();
        } else {
            close();
        }
    }

    private void read(Socket from, BlockingQueue<Chunk> queue) {
        try {
            InputStream in = from.getInputStream();
            byte[] buffer = new byte[CHUNK];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                queue.put(new Chunk(Arrays.copyOf(buffer, n), ticker.nanoTime()));
            }
            queue.put(new Chunk(null, ticker.nanoTime()));
        } catch (IOException e) {
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(Direction direction, BlockingQueue<Chunk> queue, Socket to) {
        var state = new Pacing();
        try {
            OutputStream out = to.getOutputStream();
            while (true) {
                Chunk chunk = queue.take();
                List<Toxic> toxics = proxy.toxicsFor(direction).stream().filter(this::acts).toList();
                holdWhileActive(direction, ToxicType.PARTITION);
                if (chunk.isEnd()) {
                    holdWhileActive(direction, ToxicType.TIMEOUT);
                    finish(proxy.toxicsFor(direction).stream().filter(this::acts).toList(), to);
                    return;
                }
                if (AbstractProxy.any(toxics, ToxicType.TIMEOUT)) {
                    continue;
                }
                byte[] data = chunk.data();
                long allowed = limit(toxics, state.passed);
                boolean limitReached = data.length >= allowed;
                int length = (int) Math.min(data.length, allowed);
                ticker.sleepUntil(chunk.arrival() + latencyNanos(toxics));
                send(toxics, out, data, length, state);
                if (limitReached) {
                    close();
                    return;
                }
            }
        } catch (IOException e) {
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits while a toxic of {@code type} acts in {@code direction}: a partition holds data and
     * closes, a timeout holds the close (as Toxiproxy's does) while it drops data. No event
     * announces a removal, so the toxic list is checked every {@link #HOLD_CHECK_NANOS}.
     */
    private void holdWhileActive(Direction direction, ToxicType type) throws InterruptedException {
        while (proxy.toxicsFor(direction).stream().anyMatch(t -> t.type() == type && acts(t))) {
            ticker.sleepUntil(ticker.nanoTime() + HOLD_CHECK_NANOS);
        }
    }

    /** The end of one direction: a slow_close waits, then the other side sees the half-close. */
    private void finish(List<Toxic> toxics, Socket to) throws InterruptedException, IOException {
        long delay = toxics.stream().filter(t -> t.type() == ToxicType.SLOW_CLOSE)
                .mapToLong(t -> t.longAttribute("delay")).max().orElse(0);
        ticker.sleepUntil(ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
        if (oneWayDone.getAndSet(true)) {
            close();
        } else {
            to.shutdownOutput();
        }
    }

    private static long limit(List<Toxic> toxics, long passed) {
        return toxics.stream().filter(t -> t.type() == ToxicType.LIMIT_DATA)
                .mapToLong(t -> Math.max(0, t.longAttribute("bytes") - passed)).min().orElse(Long.MAX_VALUE);
    }

    private long latencyNanos(List<Toxic> toxics) {
        long total = 0;
        for (Toxic toxic : toxics) {
            if (toxic.type() == ToxicType.LATENCY) {
                total += FaultMath.latencyNanos(toxic.attribute("latency"), toxic.attribute("jitter"), this::nextDouble);
            }
        }
        return Math.max(0, total);
    }

    private void send(List<Toxic> toxics, OutputStream out, byte[] data, int length, Pacing state)
            throws IOException, InterruptedException {
        Toxic slicer = toxics.stream().filter(t -> t.type() == ToxicType.SLICER).findFirst().orElse(null);
        double rate = toxics.stream().filter(t -> t.type() == ToxicType.BANDWIDTH)
                .mapToDouble(t -> t.attribute("rate")).min().orElse(0);
        int offset = 0;
        while (offset < length) {
            int size = slicer == null ? length - offset
                    : Math.min(length - offset, FaultMath.sliceSize(slicer, this::nextDouble));
            if (rate > 0) {
                state.nextFree = Math.max(state.nextFree, ticker.nanoTime()) + FaultMath.transmitNanos(size, rate);
                ticker.sleepUntil(state.nextFree);
            }
            out.write(data, offset, size);
            out.flush();
            offset += size;
            state.passed += size;
            if (slicer != null && offset < length) {
                ticker.sleepUntil(ticker.nanoTime() + TimeUnit.MICROSECONDS.toNanos(slicer.longAttribute("delay")));
            }
        }
    }

    private boolean acts(Toxic toxic) {
        return acting.computeIfAbsent(toxic.name() + "/" + toxic.toxicity(), key -> nextDouble() < toxic.toxicity());
    }

    private double nextDouble() {
        randomLock.lock();
        try {
            return random.nextDouble();
        } finally {
            randomLock.unlock();
        }
    }

    /** Bytes passed and when the bandwidth allows the next write, for one direction. */
    private static final class Pacing {
        long passed;
        long nextFree = Long.MIN_VALUE / 2;
    }
}
