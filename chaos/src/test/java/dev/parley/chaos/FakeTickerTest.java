package dev.parley.chaos;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Every delay waits on the injected ticker: a ticker that jumps makes an hour of latency pass at once. */
class FakeTickerTest {

    /** Time that moves only when someone waits for it, straight to what they wait for. */
    private static final class JumpingTicker implements Ticker {
        private final AtomicLong now = new AtomicLong();

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void sleepUntil(long deadline) {
            now.accumulateAndGet(deadline, Math::max);
        }
    }

    @Test
    void anHourOfLatencyPassesWithoutWaitingAnHour() throws IOException {
        var ticker = new JumpingTicker();
        try (var echo = new EchoServer();
             var chaos = ChaosServer.start(ChaosOptions.defaults().withTicker(ticker))) {
            ChaosProxy proxy = chaos.createProxy("echo", Protocol.TCP, echo.address());
            proxy.add(Toxic.of(ToxicType.LATENCY, Direction.UPSTREAM).with("latency", TimeUnit.HOURS.toMillis(1)));

            long start = System.nanoTime();
            try (var socket = new Socket(proxy.listenAddress().getAddress(), proxy.listenAddress().getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(42);
                assertThat(socket.getInputStream().read()).isEqualTo(42);
            }

            assertThat(ticker.nanoTime()).isGreaterThanOrEqualTo(TimeUnit.HOURS.toNanos(1));
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
    }
}
