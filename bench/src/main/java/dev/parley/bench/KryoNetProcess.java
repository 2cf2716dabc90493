package dev.parley.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Measures {@link KryoNetContender} in a child JVM. KryoNet needs Kryo 2, whose classes have the
 * same names as the Kryo 5 Parley uses, so they cannot share a class path: the child's class path
 * puts the KryoNet jars the build copied (see {@code kryonet.properties}) ahead of this module's
 * code. The parent side ({@link #measure}) runs on the benchmark thread and waits for the child;
 * the child side ({@link #main}) runs the same {@link Harness} and prints one line per figure,
 * among the JVM's own warnings, which the parent passes over (see {@link ChildJvm}).
 */
public final class KryoNetProcess {

    private KryoNetProcess() {
    }

    /**
     * Runs the child for one round and adds its round trip and its throughput with 1 and
     * {@link Suite#MANY_CLIENTS} clients to the lists.
     *
     * @throws IOException if the child cannot start, fails, or prints something unexpected
     */
    static void measure(Duration warmUp, Duration measure, List<Latency> latencies, List<Throughput> throughputs)
            throws IOException, InterruptedException {
        Duration limit = warmUp.plus(measure).multipliedBy(3).plusSeconds(60);
        try (var child = ChildJvm.start(List.of(), classPath(), List.of(), KryoNetProcess.class,
                List.of(Long.toString(warmUp.toMillis()), Long.toString(measure.toMillis())))) {
            // Any other line is the JVM's own warning (Kryo 2 uses sun.misc.Unsafe), not a figure.
            String[] l = child.await("latency", limit);
            latencies.add(new Latency(l[0], Integer.parseInt(l[1]), Long.parseLong(l[2]), Long.parseLong(l[3]),
                    Long.parseLong(l[4])));
            for (int i = 0; i < 2; i++) {
                String[] t = child.await("throughput", limit);
                throughputs.add(new Throughput(t[0], Integer.parseInt(t[1]), Long.parseLong(t[2]),
                        Double.parseDouble(t[3]), Double.parseDouble(t[4]), new PerMessage(Double.parseDouble(t[5]),
                        Double.parseDouble(t[6]), Double.parseDouble(t[7]), Integer.parseInt(t[8]))));
            }
            child.awaitSuccess(limit);
        }
    }

    /** The child: {@code WARMUP_MILLIS MEASURE_MILLIS}; prints the figures, one per line. */
    public static void main(String[] args) throws Exception {
        com.esotericsoftware.minlog.Log.set(com.esotericsoftware.minlog.Log.LEVEL_WARN);
        var harness = new Harness(Duration.ofMillis(Long.parseLong(args[0])), Duration.ofMillis(Long.parseLong(args[1])));
        try (var contender = new KryoNetContender()) {
            contender.start();
            Latency l = harness.latency(contender);
            System.out.printf("latency %s %d %d %d %d%n", l.contender(), l.samples(), l.p50(), l.p99(), l.p999());
            for (int clients : new int[] {1, Suite.MANY_CLIENTS}) {
                Throughput t = harness.throughput(contender, clients);
                PerMessage m = t.perMessage();
                System.out.printf(java.util.Locale.ROOT, "throughput %s %d %d %.1f %.1f %.4f %.1f %.4f %d%n", t.contender(),
                        t.clients(), t.messages(), t.perSecond(), t.cpuNanosPerMessage(), m.wakeUps(), m.allocatedBytes(),
                        m.syscalls(), m.threadsExited());
            }
        }
        System.exit(0);
    }

    private static String classPath() throws IOException {
        var properties = new Properties();
        try (InputStream in = KryoNetProcess.class.getResourceAsStream("kryonet.properties")) {
            if (in == null) {
                throw new IOException("kryonet.properties is missing: build the bench module with Maven");
            }
            properties.load(in);
        }
        Path directory = Path.of(properties.getProperty("directory"));
        List<String> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(directory)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
        } catch (IOException e) {
            throw new IOException("KryoNet's jars are not in " + directory + ": build the bench module with Maven", e);
        }
        try {
            entries.add(Path.of(KryoNetProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("cannot locate the bench classes", e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
