package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimerLoopTest {

    @Test
    void tellsATargetThatThrewAndArmsItForTheDeadlineItAnswers() throws Exception {
        var failure = new CompletableFuture<Throwable>();
        var firedAgain = new CountDownLatch(1);
        var fires = new AtomicInteger();
        try (var loop = new TimerLoop(Thread.ofVirtual().name("test-timer"))) {
            var handle = loop.register(new TimerLoop.Target() {
                @Override
                public long fire(long now) {
                    if (fires.incrementAndGet() == 1) {
                        throw new IllegalStateException("broken once");
                    }
                    firedAgain.countDown();
                    return Long.MAX_VALUE;
                }

                @Override
                public long failed(long now, Throwable thrown) {
                    failure.complete(thrown);
                    return now;
                }
            });

            loop.schedule(handle, System.nanoTime());

            assertThat(failure.get(10, TimeUnit.SECONDS)).hasMessage("broken once");
            assertThat(firedAgain.await(10, TimeUnit.SECONDS)).as("fired again at the deadline failed() gave").isTrue();
        }
    }

    @Test
    void keepsFiringOtherTargetsWhenOneThrowsEvenWhenToldSo() throws Exception {
        var healthyFired = new CountDownLatch(1);
        try (var loop = new TimerLoop(Thread.ofVirtual().name("test-timer"))) {
            var broken = loop.register(new TimerLoop.Target() {
                @Override
                public long fire(long now) {
                    throw new IllegalStateException("broken");
                }

                @Override
                public long failed(long now, Throwable thrown) {
                    throw new IllegalStateException("broken again");
                }
            });
            var healthy = loop.register(new TimerLoop.Target() {
                @Override
                public long fire(long now) {
                    healthyFired.countDown();
                    return Long.MAX_VALUE;
                }

                @Override
                public long failed(long now, Throwable thrown) {
                    return Long.MAX_VALUE;
                }
            });
            long now = System.nanoTime();

            loop.schedule(broken, now);
            loop.schedule(healthy, now + TimeUnit.MILLISECONDS.toNanos(1));

            assertThat(healthyFired.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
