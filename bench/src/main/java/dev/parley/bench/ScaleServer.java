package dev.parley.bench;

import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server side of {@link Scale}, in a JVM of its own so that its sockets and its memory are
 * its alone: an {@link ImServer} on loopback over the transport named by the first argument, with
 * the default options but for the periodic resync of the online list, which is off: at 10,000
 * users one resync queues about 150 KB for each of them, and one landing while the clients connect
 * or while memory is read would be measured as the cost of idle connections. It
 * prints {@code listening PORT}, then answers each {@code memory} line on its standard input with
 * {@code memory HEAP_BYTES RESIDENT_BYTES CONNECTIONS}, the heap counted after a full GC, and
 * exits when its input ends. Runs on its main thread; the server has its own.
 */
public final class ScaleServer {

    private ScaleServer() {
    }

    /** {@code TRANSPORT}: see the class comment. */
    public static void main(String[] args) throws IOException {
        Transport transport = Transport.byName(args[0]);
        try (ImServer server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build())) {
            System.out.println("listening " + ((InetSocketAddress) server.localAddress()).getPort());
            var commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String command;
            while ((command = commands.readLine()) != null) {
                if (command.equals("memory")) {
                    long heap = heapAfterGc();
                    System.out.println("memory " + heap + " " + residentBytes() + " " + server.connectionCount());
                }
            }
        }
        System.exit(0);
    }

    /** Heap in use after full collections: what the live objects take. */
    private static long heapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        // Two rounds: the first may leave objects whose finalization or reference processing frees more.
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** This process's resident set ({@code VmRSS} of {@code /proc/self/status}); 0 where there is none. */
    private static long residentBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }
}
