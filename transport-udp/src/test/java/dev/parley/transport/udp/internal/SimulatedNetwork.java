package dev.parley.transport.udp.internal;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
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
    private long order;
    private long sent;
    private long dropped;
    private long duplicated;

    SimulatedNetwork(long seed, Conditions conditions) {
        this.seed = seed;
        this.random = new Random(seed);
        this.conditions = conditions;
    }

    void attach(InetSocketAddress address, Node node) {
        nodes.put(address, node);
    }

    /** A sink that sends from {@code from} to {@code to} through this network. */
    DatagramSink sink(InetSocketAddress from, InetSocketAddress to) {
        return (buf, length) -> transmit(Arrays.copyOf(buf, length), from, to);
    }

    void transmit(byte[] datagram, InetSocketAddress from, InetSocketAddress to) {
        sent++;
        if (random.nextDouble() < conditions.loss()) {
            dropped++;
            return;
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
            queue.add(new InFlight(now + delay, order++, from, to, datagram));
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
                + " duplicated=" + duplicated + " simulatedMillis=" + (now - 1_000_000_000L) / 1_000_000;
    }
}
