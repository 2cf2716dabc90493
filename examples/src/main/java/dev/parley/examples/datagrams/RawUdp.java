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

/**
 * Datagrams as the lesson sends them: plain {@link DatagramSocket}s on loopback, no
 * acknowledgements, no retransmission. Loopback rarely loses anything, so the sender stands in for
 * a lossy network: a {@code Random(seed)} decides which datagrams it "loses", the same ones for
 * the same seed. Nothing tells the receiver what went missing; all it can do is stop waiting.
 *
 * <p>Runs on the calling thread: it sends everything, then reads what the kernel kept for the
 * receiving socket.
 */
public final class RawUdp {

    /** How long the receiver waits for one more datagram before it concludes there are no more. */
    public static final Duration QUIET = Duration.ofMillis(500);

    private RawUdp() {
    }

    /**
     * Sends {@code count} datagrams, losing each with probability {@code loss} (decided by
     * {@code seed}), and counts those received.
     */
    public static Tally send(int count, double loss, long seed) throws IOException {
        var network = new Random(seed);
        try (var receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             var sender = new DatagramSocket()) {
            for (int seq = 0; seq < count; seq++) {
                if (network.nextDouble() < loss) {
                    continue; // Lost on the way: no error, no trace.
                }
                byte[] bytes = Datagram.codec().encode(new Datagram(seq, "message " + seq));
                sender.send(new DatagramPacket(bytes, bytes.length, receiver.getLocalSocketAddress()));
            }
            return new Tally(count, receiveUntilQuiet(receiver));
        }
    }

    private static List<Integer> receiveUntilQuiet(DatagramSocket receiver) throws IOException {
        List<Integer> received = new ArrayList<>();
        var packet = new DatagramPacket(new byte[65_536], 65_536);
        receiver.setSoTimeout((int) QUIET.toMillis());
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
