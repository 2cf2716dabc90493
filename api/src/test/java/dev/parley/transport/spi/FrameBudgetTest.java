package dev.parley.transport.spi;

import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameBudgetTest {

    @Test
    void framesUpToTheAllowanceNeedNoRoom() {
        var budget = FrameBudget.of(1);

        assertThat(budget.tryReserve(FrameBudget.ALLOWANCE)).isTrue();
        assertThat(budget.reservedBytes()).isZero();
    }

    @Test
    void reservesLongFramesUntilTheBudgetIsSpentAndGivesRoomBackOnRelease() {
        var budget = FrameBudget.of(100_000);

        assertThat(budget.tryReserve(60_000)).isTrue();
        assertThat(budget.tryReserve(40_001)).isFalse();
        assertThat(budget.tryReserve(40_000)).isTrue();
        assertThat(budget.reservedBytes()).isEqualTo(100_000);
        budget.release(60_000);
        assertThat(budget.tryReserve(50_000)).isTrue();
        assertThat(budget).hasToString("90000 of 100000 bytes reserved");
    }

    @Test
    void neverGrantsMoreThanItsSizeWhenManyThreadsReserveAtOnce() throws Exception {
        var budget = FrameBudget.of(1_000_000);
        var granted = new AtomicInteger();
        try (var threads = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                threads.submit(() -> {
                    for (int j = 0; j < 1_000; j++) {
                        if (budget.tryReserve(20_000)) {
                            granted.incrementAndGet();
                        }
                    }
                });
            }
        }

        assertThat(granted.get()).isEqualTo(50);
        assertThat(budget.reservedBytes()).isEqualTo(1_000_000);
    }

    @Test
    void anUnlimitedBudgetNeverRefusesNorCounts() {
        var budget = FrameBudget.unlimited();

        assertThat(budget.tryReserve(Integer.MAX_VALUE)).isTrue();
        assertThat(budget.reservedBytes()).isZero();
    }

    @Test
    void refusesAnEmptyBudget() {
        assertThatThrownBy(() -> FrameBudget.of(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 byte");
    }
}
