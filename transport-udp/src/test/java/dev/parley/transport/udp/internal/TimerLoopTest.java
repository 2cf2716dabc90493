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

    /**
     * A connection re-arms its timer for every burst it sends: the queue must not keep an entry for
     * each arming (it grew to hundreds per connection under loss, each costing every later arming).
     */
    @Test
    void keepsOneEntryPerTargetHoweverOftenItIsArmedAndFiresItOnceAtTheEarliest() throws Exception {
        var fired = new AtomicInteger();
        var firedAt = new CompletableFuture<Long>();
        try (var loop = new TimerLoop(Thread.ofVirtual().name("test-timer"))) {
            var handle = loop.register(new TimerLoop.Target() {
                @Override
                public long fire(long now) {
                    fired.incrementAndGet();
                    firedAt.complete(now);
                    return Long.MAX_VALUE;
                }

                @Override
                public long failed(long now, Throwable thrown) {
                    return Long.MAX_VALUE;
                }
            });
            long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);

            for (int i = 1_000; i > 0; i--) {
                loop.schedule(handle, later + TimeUnit.MILLISECONDS.toNanos(i));
                loop.schedule(handle, later + TimeUnit.MILLISECONDS.toNanos(i + 500));
            }

            assertThat(loop.armedTargets()).isEqualTo(1);
            assertThat(firedAt.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(later + TimeUnit.MILLISECONDS.toNanos(1));
            assertThat(loop.armedTargets()).isZero();
            assertThat(fired).hasValue(1);
        }
    }

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
