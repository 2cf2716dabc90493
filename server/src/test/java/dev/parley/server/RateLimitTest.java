package dev.parley.server;

import dev.parley.server.RateLimit.Verdict;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstThenRefusesUntilTokensComeBackAtTheRate() {
        var rate = new RateLimit(10, 3, 100, 0);

        assertThat(IntStream.range(0, 4).mapToObj(i -> rate.take(0)))
                .containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.REFUSE);
        assertThat(rate.take(SECOND / 10)).isEqualTo(Verdict.ALLOW);
        assertThat(rate.take(SECOND / 10)).isEqualTo(Verdict.REFUSE);
    }

    @Test
    void neverHoldsMoreThanTheBurstHoweverLongItWaits() {
        var rate = new RateLimit(10, 2, 100, 0);

        assertThat(IntStream.range(0, 3).mapToObj(i -> rate.take(3600 * SECOND)))
                .containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.REFUSE);
    }

    @Test
    void disconnectsAfterTheGivenRefusalsInARowAndForgetsThemOnceAllowed() {
        var rate = new RateLimit(1, 1, 3, 0);
        rate.take(0);

        assertThat(IntStream.range(0, 2).mapToObj(i -> rate.take(0))).containsOnly(Verdict.REFUSE);
        assertThat(rate.take(SECOND)).isEqualTo(Verdict.ALLOW);
        assertThat(IntStream.range(0, 3).mapToObj(i -> rate.take(SECOND)))
                .containsExactly(Verdict.REFUSE, Verdict.REFUSE, Verdict.DISCONNECT);
    }

    @Test
    void allowsEverythingWhenTheRateIsZero() {
        var rate = new RateLimit(0, 1, 1, 0);

        assertThat(IntStream.range(0, 10_000).mapToObj(i -> rate.take(0))).containsOnly(Verdict.ALLOW);
    }
}
