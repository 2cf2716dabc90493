package dev.parley.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Publishes an {@link ImServer}'s {@link ServerStatistics} through Micrometer, to whichever
 * registry is bound: Prometheus, JMX, or any other ({@code parley server --metrics HOST:PORT} and
 * {@code --jmx} use it). {@code micrometer-core} is an optional dependency of {@code parley-server}:
 * an application that uses this class has it already.
 *
 * <pre>{@code
 * new ImServerMetrics(server).bindTo(registry);
 * }</pre>
 *
 * <p>Every meter carries the tag {@code transport} (the server's transport's name). In Prometheus
 * they are named:
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>kind</th><th>what</th></tr>
 *   <tr><td>{@code parley_connections}</td><td>gauge</td><td>client connections open</td></tr>
 *   <tr><td>{@code parley_users_online}</td><td>gauge</td><td>users registered here (held ones too)</td></tr>
 *   <tr><td>{@code parley_users_held}</td><td>gauge</td><td>users in their resume window</td></tr>
 *   <tr><td>{@code parley_conversations}</td><td>gauge</td><td>conversations ongoing</td></tr>
 *   <tr><td>{@code parley_messages_accepted_total}</td><td>counter</td><td>messages stored durably</td></tr>
 *   <tr><td>{@code parley_refusals_total}</td><td>counter, tag {@code cause}</td><td>requests refused, by cause</td></tr>
 *   <tr><td>{@code parley_frames_total}</td><td>counter, tag {@code direction} ({@code in}, {@code out})</td>
 *       <td>frames from and to clients</td></tr>
 *   <tr><td>{@code parley_payload_bytes_total}</td><td>counter, tag {@code direction}</td><td>their payload bytes</td></tr>
 *   <tr><td>{@code parley_packets_retransmitted_total}</td><td>counter</td><td>UDP packets that carried a
 *       retransmission (0 on TCP, whose retransmissions are the kernel's)</td></tr>
 *   <tr><td>{@code parley_rtt_mean_seconds}, {@code parley_rtt_max_seconds}</td><td>gauge</td>
 *       <td>smoothed round-trip time over the open UDP connections; NaN on TCP</td></tr>
 * </table>
 *
 * <p>The registry holds the meters, and the gauges hold this and the server (strongly, so that the
 * counters, which Micrometer lets hold their object only weakly, keep it too), until the registry
 * is closed or the meters removed. Each meter reads a {@link ServerStatistics} taken at most {@link #SNAPSHOT_AGE} before, so that
 * one scrape adds up the server's connections once rather than once per meter. Thread-safe: meters
 * are read on whichever thread the registry reads them.
 */
public final class ImServerMetrics implements MeterBinder {

    /** How old a snapshot a meter may read. */
    public static final Duration SNAPSHOT_AGE = Duration.ofSeconds(1);

    private record Snapshot(long takenNanos, ServerStatistics statistics) {
    }

    private final ImServer server;
    private final long snapshotAgeNanos;
    private volatile Snapshot last;

    /** Meters for {@code server}, once {@link #bindTo bound} to a registry. */
    public ImServerMetrics(ImServer server) {
        this(server, SNAPSHOT_AGE);
    }

    /** As above, meters reading a snapshot at most {@code snapshotAge} old: a test's {@link Duration#ZERO}. */
    ImServerMetrics(ImServer server, Duration snapshotAge) {
        this.server = Objects.requireNonNull(server, "server");
        this.snapshotAgeNanos = snapshotAge.toNanos();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("transport", server.statistics().transport());
        gauge(registry, tags, "parley.connections", "client connections open", ServerStatistics::connections);
        gauge(registry, tags, "parley.users.online", "users registered on this server, held ones too",
                ServerStatistics::onlineUsers);
        gauge(registry, tags, "parley.users.held", "users in their resume window", ServerStatistics::heldUsers);
        gauge(registry, tags, "parley.conversations", "conversations ongoing", ServerStatistics::conversations);
        counter(registry, tags, "parley.messages.accepted", null, "messages stored durably",
                ServerStatistics::messagesAccepted);
        for (Refusal.Cause cause : Refusal.Cause.values()) {
            counter(registry, tags.and("cause", cause.label()), "parley.refusals", null, "requests refused, by cause",
                    statistics -> statistics.refusals().getOrDefault(cause.label(), 0L));
        }
        Tags in = tags.and("direction", "in");
        Tags out = tags.and("direction", "out");
        counter(registry, in, "parley.frames", null, "frames from and to clients", ServerStatistics::framesReceived);
        counter(registry, out, "parley.frames", null, "frames from and to clients", ServerStatistics::framesSent);
        counter(registry, in, "parley.payload", BaseUnits.BYTES, "payload bytes from and to clients",
                ServerStatistics::bytesReceived);
        counter(registry, out, "parley.payload", BaseUnits.BYTES, "payload bytes from and to clients",
                ServerStatistics::bytesSent);
        counter(registry, tags, "parley.packets.retransmitted", null,
                "packets that carried a retransmission (Parley's UDP; 0 on TCP)", ServerStatistics::packetsRetransmitted);
        rtt(registry, tags, "parley.rtt.mean", "mean smoothed round-trip time of the open UDP connections",
                ServerStatistics::meanRttMicros);
        rtt(registry, tags, "parley.rtt.max", "largest smoothed round-trip time of the open UDP connections",
                ServerStatistics::maxRttMicros);
    }

    /** The server's statistics, taken again if the last were taken more than {@link #SNAPSHOT_AGE} ago. */
    private ServerStatistics statistics() {
        long now = System.nanoTime();
        Snapshot snapshot = last;
        if (snapshot == null || now - snapshot.takenNanos() >= snapshotAgeNanos) {
            snapshot = new Snapshot(now, server.statistics());
            last = snapshot;
        }
        return snapshot.statistics();
    }

    private void gauge(MeterRegistry registry, Tags tags, String name, String description,
                       ToDoubleFunction<ServerStatistics> figure) {
        Gauge.builder(name, this, metrics -> figure.applyAsDouble(metrics.statistics()))
                .tags(tags).description(description).strongReference(true).register(registry);
    }

    private void counter(MeterRegistry registry, Tags tags, String name, String unit, String description,
                         ToLongFunction<ServerStatistics> figure) {
        FunctionCounter.builder(name, this, metrics -> figure.applyAsLong(metrics.statistics()))
                .tags(tags).baseUnit(unit).description(description).register(registry);
    }

    private void rtt(MeterRegistry registry, Tags tags, String name, String description,
                     ToDoubleFunction<ServerStatistics> micros) {
        Gauge.builder(name, this, metrics -> micros.applyAsDouble(metrics.statistics()) / 1e6)
                .tags(tags).baseUnit("seconds").description(description).strongReference(true).register(registry);
    }
}
