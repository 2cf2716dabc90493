package dev.parley.transport.udp.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Sending a datagram without letting the sending thread's interrupt flag close the socket. The JDK
 * closes a blocking channel that a thread with its flag set uses ({@code ClosedByInterruptException}),
 * and packets go out on whatever thread made them: a handler's delivery thread, which a handler that
 * caught an {@code InterruptedException} and restored the flag leaves interrupted, or a thread
 * calling {@code sendUnreliable} or {@code close}. A listener's socket serves every connection bound
 * to it, so one such thread would end them all. The flag is cleared for the send and set again after
 * it. An interrupt that another thread delivers during the system call itself still closes the
 * socket; the window is the few microseconds of the call. Thread-safe, stateless.
 */
final class Datagrams {

    private Datagrams() {
    }

    /** Sends {@code packet} to {@code to} on {@code channel}, the calling thread's interrupt flag as it was afterwards. */
    static void send(DatagramChannel channel, ByteBuffer packet, SocketAddress to) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            channel.send(packet, to);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
