package dev.parley.internal.codec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectPoolTest {

    @Test
    void reusesWhatWasFreedAndCreatesOnlyWhenNothingIsFree() {
        var created = new AtomicInteger();
        var pool = new ObjectPool<>(4, () -> new Object[] {created.incrementAndGet()});

        Object[] first = pool.obtain();
        Object[] second = pool.obtain();
        pool.free(first);

        assertThat(pool.obtain()).isSameAs(first);
        assertThat(second).isNotSameAs(first);
        assertThat(created).hasValue(2);
    }

    @Test
    void keepsAtMostItsCapacity() {
        var created = new AtomicInteger();
        var pool = new ObjectPool<>(2, () -> new Object[] {created.incrementAndGet()});
        List<Object[]> taken = List.of(pool.obtain(), pool.obtain(), pool.obtain());
        taken.forEach(pool::free);

        Set<Object[]> reused = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 3; i++) {
            reused.add(pool.obtain());
        }

        assertThat(created).hasValue(4);
        assertThat(reused).hasSize(3);
    }

    @Test
    void neverHandsOneObjectToTwoThreadsAtOnce() throws Exception {
        var pool = new ObjectPool<>(4, AtomicInteger::new);
        List<Future<?>> workers = new ArrayList<>();
        try (var executor = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                workers.add(executor.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        AtomicInteger holder = pool.obtain();
                        assertThat(holder.incrementAndGet()).as("holders of one pooled object").isEqualTo(1);
                        holder.decrementAndGet();
                        pool.free(holder);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void refusesACapacityBelowOne() {
        assertThatThrownBy(() -> new ObjectPool<>(0, Object::new)).hasMessageContaining("was 0");
    }
}
