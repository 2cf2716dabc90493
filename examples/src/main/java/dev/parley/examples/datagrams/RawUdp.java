package dev.parley.examples.datagrams;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Datagrams as the lesson sends them: plain {@link DatagramSocket}s on loopback, no
 * acknowledgements, no retransmission. Loopback rarely loses anything, so the sender stands in for
 * a lossy network: a {@code Random(seed)} decides which datagrams it "loses", the same ones for
 * the same seed. Nothing tells the receiver what went missing; all it can do is stop waiting.
 *
 * <p>The receiver reads on a virtual thread of its own while the caller's thread sends. Its
 * socket buffer is enlarged because UDP loses for real too: a datagram that arrives while the
 * receiver's buffer is full is dropped without a word.
 */
public final class RawUdp {

    /** How long the receiver waits for one more datagram before it concludes there are no more. */
    public static final Duration QUIET = Duration.ofSeconds(1);

    private static final int RECEIVE_BUFFER = 4 << 20;

    private RawUdp() {
    }

    /**
     * Sends {@code count} datagrams, losing each with probability {@code loss} (decided by
     * {@code seed}), and counts those received.
     */
    public static Tally send(int count, double loss, long seed) throws IOException, InterruptedException {
        var network = new Random(seed);
        try (var receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             var sender = new DatagramSocket();
             var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            receiver.setReceiveBufferSize(RECEIVE_BUFFER);
            receiver.setSoTimeout((int) QUIET.toMillis());
            Future<List<Integer>> received = threads.submit(() -> receiveUntilQuiet(receiver));
            for (int seq = 0; seq < count; seq++) {
                if (network.nextDouble() < loss) {
                    continue; // Lost on the way: no error, no trace.
                }
                byte[] bytes = Datagram.codec().encode(new Datagram(seq, "message " + seq));
                sender.send(new DatagramPacket(bytes, bytes.length, receiver.getLocalSocketAddress()));
            }
            return new Tally(count, received.get());
        } catch (ExecutionException e) {
            throw new IOException("receiving failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static List<Integer> receiveUntilQuiet(DatagramSocket receiver) throws IOException {
        List<Integer> received = new ArrayList<>();
        var packet = new DatagramPacket(new byte[65_536], 65_536);
        while (true) {
            try {
                receiver.receive(packet);
            } catch (SocketTimeoutException e) {
                return received;
            }
            byte[] bytes = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
            received.add(((Datagram) Datagram.codec().decode(bytes)).seq());
        }
    }
}
