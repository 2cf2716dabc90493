package dev.parley.transport.udp.internal;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection whose protocol state throws on the timer thread ends, and says why, instead of
 * silently losing its timers (no retransmission, no timeout, no close ever reported).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimerFailureTest {

    private static final String TIMER_THREAD = "test-udp-timer";

    @Test
    void aConnectionWhoseTimerThrowsIsAbortedWithThatFailureAndForgotten() throws Exception {
        // A connect timeout far beyond the wait below: only the failure can end the handshake in time.
        var options = TransportOptions.defaults().toBuilder().connectTimeout(Duration.ofMinutes(5)).build();
        var loopback = InetAddress.getLoopbackAddress();
        var gone = new CountDownLatch(1);
        try (var timer = new TimerLoop(Thread.ofVirtual().name(TIMER_THREAD))) {
            var connection = new UdpConnection(new ConnectionHandler() {
                @Override
                public void onFrame(Connection connection, byte[] frame) {
                }
            }, options, UdpOptions.defaults(), new InetSocketAddress(loopback, 1), new InetSocketAddress(loopback, 2),
                    timer, gone::countDown);
            // The first INITIAL goes out on this thread; its retransmission, on the timer, breaks.
            connection.startClient(42, (buf, length) -> {
                if (Thread.currentThread().getName().equals(TIMER_THREAD)) {
                    throw new IllegalStateException("the sink broke");
                }
            });

            assertThatThrownBy(() -> connection.awaitOpen(10, TimeUnit.SECONDS))
                    .isInstanceOf(ConnectException.class)
                    .hasMessageContaining("the sink broke");
            assertThat(gone.await(10, TimeUnit.SECONDS)).as("the owner was told to forget the connection").isTrue();
            assertThat(connection.isOpen()).isFalse();
        }
    }
}
