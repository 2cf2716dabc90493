package dev.parley.transport.udp.internal;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * A deterministic network for sessions: datagrams are lost, duplicated, delayed and reordered by a
 * seeded {@link Random}, and time is a number this class advances, so a run that spans minutes of
 * simulated time takes milliseconds and a seed replays it exactly. Single-threaded.
 */
final class SimulatedNetwork {

    /**
     * What the network does to each datagram.
     *
     * @param loss      probability a datagram is dropped
     * @param duplicate probability it is delivered twice
     * @param reorder   probability it is held back by up to three extra delays
     * @param delay     one-way delay, nanoseconds
     * @param jitter    extra random delay up to this, nanoseconds
     */
    record Conditions(double loss, double duplicate, double reorder, long delay, long jitter) {
    }

    /** Something attached to the network at an address. */
    interface Node {
        void receive(byte[] datagram, InetSocketAddress from, long now);

        long nextDeadline();

        void onTimer(long now);
    }

    private record InFlight(long deliverAt, long order, InetSocketAddress from, InetSocketAddress to, byte[] bytes) {
    }

    private final long seed;
    private final Random random;
    private final Conditions conditions;
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>((a, b) -> a.deliverAt != b.deliverAt
            ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.order, b.order));
    private final Map<InetSocketAddress, Node> nodes = new LinkedHashMap<>();
    private long now = 1_000_000_000L;
    /** Bottleneck rate in bytes per second every datagram passes through; 0 for none. */
    private long bottleneckRate;
    private long bottleneckQueueLimit;
    private Set<InetSocketAddress> bottleneckTowards = Set.of();
    /** When the bottleneck finishes sending what it holds. */
    private long bottleneckFreeAt;
    private long queueDelaySum;
    private long queueDelayCount;
    private long queueDrops;
    private long order;
    private long sent;
    private long dropped;
    private long duplicated;
    private BiConsumer<byte[], InetSocketAddress> tap = (datagram, to) -> { };

    SimulatedNetwork(long seed, Conditions conditions) {
        this.seed = seed;
        this.random = new Random(seed);
        this.conditions = conditions;
    }

    /**
     * Puts one bottleneck link in front of every datagram sent to one of {@code towards}: it sends
     * {@code bytesPerSecond} and queues at most {@code queueLimitBytes} behind it (drop-tail). The
     * delay of the conditions is then the propagation delay after it. Datagrams the other way
     * (acknowledgements) do not pass it.
     */
    void bottleneck(long bytesPerSecond, long queueLimitBytes, Set<InetSocketAddress> towards) {
        this.bottleneckRate = bytesPerSecond;
        this.bottleneckQueueLimit = queueLimitBytes;
        this.bottleneckTowards = towards;
    }

    /** The mean time datagrams waited in the bottleneck's queue since {@link #resetQueueDelay}, nanoseconds. */
    long meanQueueDelay() {
        return queueDelayCount == 0 ? 0 : queueDelaySum / queueDelayCount;
    }

    /** Starts measuring the bottleneck's queue delay afresh (after a warm-up). */
    void resetQueueDelay() {
        queueDelaySum = 0;
        queueDelayCount = 0;
    }

    /** Datagrams the bottleneck dropped because its queue was full. */
    long queueDrops() {
        return queueDrops;
    }

    void attach(InetSocketAddress address, Node node) {
        nodes.put(address, node);
    }

    /** A sink that sends from {@code from} to {@code to} through this network. */
    DatagramSink sink(InetSocketAddress from, InetSocketAddress to) {
        return (buf, length) -> transmit(Arrays.copyOf(buf, length), from, to);
    }

    /** Shows {@code tap} every datagram a node sends, before the network loses or delays it. */
    void tap(BiConsumer<byte[], InetSocketAddress> tap) {
        this.tap = tap;
    }

    void transmit(byte[] datagram, InetSocketAddress from, InetSocketAddress to) {
        sent++;
        tap.accept(datagram, to);
        if (random.nextDouble() < conditions.loss()) {
            dropped++;
            return;
        }
        long departure = now;
        if (bottleneckTowards.contains(to)) {
            long start = Math.max(now, bottleneckFreeAt);
            if ((start - now) * bottleneckRate / 1_000_000_000L > bottleneckQueueLimit) {
                queueDrops++;
                return;
            }
            queueDelaySum += start - now;
            queueDelayCount++;
            departure = start + datagram.length * 1_000_000_000L / bottleneckRate;
            bottleneckFreeAt = departure;
        }
        int copies = 1;
        if (random.nextDouble() < conditions.duplicate()) {
            copies = 2;
            duplicated++;
        }
        for (int i = 0; i < copies; i++) {
            long delay = conditions.delay() + (long) (random.nextDouble() * conditions.jitter());
            if (random.nextDouble() < conditions.reorder()) {
                delay += (long) (random.nextDouble() * 3 * conditions.delay());
            }
            queue.add(new InFlight(departure + delay, order++, from, to, datagram));
        }
    }

    /**
     * Advances time, delivering datagrams and firing timers, until {@code done} holds or nothing is
     * left to happen before {@code maxNanos} of simulated time have passed.
     *
     * @return whether {@code done} held
     */
    boolean runUntil(BooleanSupplier done, long maxNanos) {
        long limit = now + maxNanos;
        int stalled = 0;
        while (!done.getAsBoolean()) {
            long next = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().deliverAt();
            for (Node node : nodes.values()) {
                next = Math.min(next, node.nextDeadline());
            }
            if (next > limit) {
                now = limit;
                return false;
            }
            stalled = next <= now ? stalled + 1 : 0;
            if (stalled > 100_000) {
                throw new AssertionError("time stopped advancing: a timer fires without moving on; " + this);
            }
            now = Math.max(now, next);
            while (!queue.isEmpty() && queue.peek().deliverAt() <= now) {
                InFlight d = queue.poll();
                Node node = nodes.get(d.to());
                if (node != null) {
                    node.receive(d.bytes(), d.from(), now);
                }
            }
            for (Node node : nodes.values()) {
                if (node.nextDeadline() <= now) {
                    node.onTimer(now);
                }
            }
        }
        return true;
    }

    long now() {
        return now;
    }

    /** For assertion messages: how to replay this run, and what the network did. */
    @Override
    public String toString() {
        return "seed=" + seed + " " + conditions + " sent=" + sent + " dropped=" + dropped
                + " duplicated=" + duplicated + " simulatedMillis=" + (now - 1_000_000_000L) / 1_000_000
                + (bottleneckRate > 0 ? " bottleneck=" + bottleneckRate + "B/s queueDrops=" + queueDrops
                + " meanQueueMicros=" + meanQueueDelay() / 1000 : "");
    }
}
