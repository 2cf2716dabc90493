package dev.parley.chaos.internal;

import dev.parley.chaos.Direction;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The toxics' arithmetic, with the random draw given: the extremes of [0, 1) and the middle. */
class FaultMathTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void latencySpansTheJitterBothWaysAndNeverGoesNegative() {
        assertThat(FaultMath.latencyNanos(100, 50, () -> 0.0)).isEqualTo(50 * MS);
        assertThat(FaultMath.latencyNanos(100, 50, () -> 0.5)).isEqualTo(100 * MS);
        assertThat(FaultMath.latencyNanos(100, 50, () -> 0.999_999)).isBetween(149 * MS, 150 * MS);
        assertThat(FaultMath.latencyNanos(10, 50, () -> 0.0)).isZero();
    }

    @Test
    void sliceSizesVaryAroundTheAverageAndAreNeverEmpty() {
        Toxic slicer = Toxic.of(ToxicType.SLICER, Direction.DOWNSTREAM).with("average_size", 10).with("size_variation", 4);

        assertThat(FaultMath.sliceSize(slicer, () -> 0.0)).isEqualTo(6);
        assertThat(FaultMath.sliceSize(slicer, () -> 0.5)).isEqualTo(10);
        assertThat(FaultMath.sliceSize(slicer.with("average_size", 0), () -> 0.0)).isEqualTo(1);
    }

    @Test
    void aKilobyteTakesOneSecondAtOneKilobytePerSecond() {
        assertThat(FaultMath.transmitNanos(1024, 1)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(FaultMath.transmitNanos(512, 2)).isEqualTo(250 * MS);
    }
}
