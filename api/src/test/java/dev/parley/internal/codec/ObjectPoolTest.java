package dev.parley.internal.codec;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectPoolTest {

    @Test
    void aVirtualThreadReusesWhatWasFreedAndCreatesOnlyWhenNothingIsFree() throws Exception {
        var created = new AtomicInteger();
        var pool = new ObjectPool<>(4, () -> new Object[] {created.incrementAndGet()});

        onVirtualThread(() -> {
            Object[] first = pool.obtain();
            Object[] second = pool.obtain();
            pool.free(first);

            assertThat(pool.obtain()).isSameAs(first);
            assertThat(second).isNotSameAs(first);
            return null;
        });
        assertThat(created).hasValue(2);
    }

    @Test
    void theSharedSlotsKeepAtMostTheirCapacity() throws Exception {
        var created = new AtomicInteger();
        var pool = new ObjectPool<>(2, () -> new Object[] {created.incrementAndGet()});

        Set<Object[]> reused = onVirtualThread(() -> {
            List<Object[]> taken = List.of(pool.obtain(), pool.obtain(), pool.obtain());
            taken.forEach(pool::free);
            Set<Object[]> again = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < 3; i++) {
                again.add(pool.obtain());
            }
            return again;
        });

        assertThat(created).hasValue(4);
        assertThat(reused).hasSize(3);
    }

    @Test
    void aThreadThatLivesOnKeepsNothingOfAPoolItsApplicationDropped() throws Exception {
        var adopted = new AtomicReference<WeakReference<Object>>();
        var dropped = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        Thread thread = Thread.ofPlatform().start(() -> {
            adopted.set(adoptFromAPoolThenDropIt());
            dropped.countDown();
            try {
                release.await(); // alive, touching no thread-local, as a container's idle thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            dropped.await();
            for (int i = 0; i < 10 && adopted.get().get() != null; i++) {
                System.gc();
            }

            assertThat(adopted.get().get()).as("the thread's own object, once its pool is unreachable").isNull();
        } finally {
            release.countDown();
            thread.join();
        }
    }

    /** Makes this platform thread adopt an object of a new pool; returns a weak reference to it, the pool unreachable. */
    private static WeakReference<Object> adoptFromAPoolThenDropIt() {
        var pool = new ObjectPool<>(4, Object::new);
        Object object = null;
        for (int i = 0; i <= ObjectPool.ADOPT_AFTER; i++) {
            object = pool.obtain();
            pool.free(object);
        }
        assertThat(pool.obtain()).as("adopted").isSameAs(object);
        return new WeakReference<>(object);
    }

    @Test
    void aPlatformThreadThatUsesThePoolOftenKeepsAnObjectOfItsOwnAndSharesOnlyWhenItIsLent() throws Exception {
        var created = new AtomicInteger();
        var pool = new ObjectPool<>(4, () -> new Object[] {created.incrementAndGet()});

        Object[] adopted = obtainAndFreeUntilAdopted(pool);
        Object[] own = pool.obtain();
        Object[] nested = pool.obtain();
        pool.free(nested);
        pool.free(own);
        Object[] otherThreads;
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            otherThreads = other.submit(() -> {
                Object[] object = pool.obtain();
                pool.free(object);
                return object;
            }).get(30, TimeUnit.SECONDS);
        }

        assertThat(own).as("the thread's own").isSameAs(adopted);
        assertThat(nested).as("obtained while the thread's own was lent").isNotSameAs(own);
        assertThat(pool.obtain()).as("the thread's own, again").isSameAs(own);
        assertThat(otherThreads).as("another platform thread, yet to adopt one, shares: the freed nested one")
                .isSameAs(nested);
        assertThat(created).hasValue(2);
    }

    @Test
    void aPlatformThreadThatUsedThePoolOnlyAFewTimesKeepsNothing() throws Exception {
        var created = new AtomicInteger();
        var pool = new ObjectPool<>(4, () -> new Object[] {created.incrementAndGet()});
        for (int i = 1; i < ObjectPool.ADOPT_AFTER; i++) {
            pool.free(pool.obtain());
        }

        Object[] otherThreads;
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            otherThreads = other.submit(() -> {
                Object[] object = obtainAndFreeUntilAdopted(pool);
                pool.obtain(); // lent, so this one is the other thread's to keep
                return object;
            }).get(30, TimeUnit.SECONDS);
        }

        assertThat(created).as("one object, passed from the first thread to the second").hasValue(1);
        assertThat(pool.obtain()).as("the first thread adopts a new one: the second kept the only one")
                .isNotSameAs(otherThreads);
        assertThat(created).hasValue(2);
    }

    @Test
    void neverHandsOneObjectToTwoThreadsAtOnce() throws Exception {
        var pool = new ObjectPool<>(4, AtomicInteger::new);
        List<Future<?>> workers = new ArrayList<>();
        try (var platform = Executors.newFixedThreadPool(4);
             var virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 8; t++) {
                workers.add((t % 2 == 0 ? platform : virtual).submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        AtomicInteger holder = pool.obtain();
                        AtomicInteger nested = i % 7 == 0 ? pool.obtain() : null;
                        assertThat(holder.incrementAndGet()).as("holders of one pooled object").isEqualTo(1);
                        if (nested != null) {
                            assertThat(nested.incrementAndGet()).as("holders of one pooled object").isEqualTo(1);
                            nested.decrementAndGet();
                            pool.free(nested);
                        }
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
    void refusesACapacityThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new ObjectPool<>(0, Object::new)).hasMessageContaining("power of two, was 0");
        assertThatThrownBy(() -> new ObjectPool<>(48, Object::new)).hasMessageContaining("power of two, was 48");
    }

    /** Obtains and frees on this platform thread until it adopts an object of its own; returns that. */
    private static Object[] obtainAndFreeUntilAdopted(ObjectPool<Object[]> pool) {
        Object[] object = null;
        for (int i = 0; i < ObjectPool.ADOPT_AFTER; i++) {
            object = pool.obtain();
            pool.free(object);
        }
        return object;
    }

    private static <V> V onVirtualThread(Callable<V> body) throws Exception {
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            return virtual.submit(body).get(30, TimeUnit.SECONDS);
        }
    }
}
