package dev.parley.examples.counter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The race of the lesson, forced so it happens every time, and the two fixes under contention. */
class CounterTest {

    private static final int THREADS = 16;
    private static final int INCREMENTS = 20_000;

    @Test
    void racyCounterLosesAnUpdateWhenTwoThreadsReadBeforeEitherWrites() throws Exception {
        // Both threads must reach the barrier between their read and their write before either may
        // write: the interleaving of the lesson's table, every time. If the counter were safe, the
        // second thread could not read before the first wrote, and the barrier would time out.
        var bothHaveRead = new CyclicBarrier(2);
        var counter = new RacyCounter(() -> {
            try {
                bothHaveRead.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new AssertionError("the other thread never read the counter", e);
            }
        });

        int first;
        int second;
        try (var threads = Executors.newFixedThreadPool(2)) {
            var a = threads.submit(counter::increment);
            var b = threads.submit(counter::increment);
            first = a.get(20, TimeUnit.SECONDS);
            second = b.get(20, TimeUnit.SECONDS);
        }

        assertThat(first).as("two increments handed out the same number").isEqualTo(second).isEqualTo(1);
    }

    static Stream<Supplier<Counter>> fixes() {
        return Stream.of(AtomicCounter::new, LockedCounter::new);
    }

    @ParameterizedTest
    @MethodSource("fixes")
    void fixedCounterCountsEveryIncrementUnderContention(Supplier<Counter> fix) throws Exception {
        Counter counter = fix.get();
        var start = new CountDownLatch(1);
        try (var threads = Executors.newFixedThreadPool(THREADS)) {
            for (int t = 0; t < THREADS; t++) {
                threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < INCREMENTS; i++) {
                        counter.increment();
                    }
                    return null;
                });
            }
            start.countDown();
        }

        assertThat(counter.increment()).isEqualTo(THREADS * INCREMENTS + 1);
    }
}
