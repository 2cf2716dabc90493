package dev.parley.transport.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ElasticBufferTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void growsAtLeastTwofoldUpToTheCapAndShrinksBackToTheMinimum() {
        var elastic = new ElasticBuffer(1024, 64 * 1024);
        assertThat(elastic.capacity()).isEqualTo(1024);

        assertThat(elastic.ensure(1000, 0).capacity()).as("fits already").isEqualTo(1024);
        assertThat(elastic.ensure(1025, 0).capacity()).as("at least doubles").isEqualTo(2048);
        assertThat(elastic.ensure(20_000, 0).capacity()).isEqualTo(20_000);
        assertThat(elastic.ensure(1 << 20, 0).capacity()).as("a 1 MiB frame: the cap").isEqualTo(64 * 1024);

        elastic.shrink();
        assertThat(elastic.capacity()).isEqualTo(1024);
        assertThat(elastic.buffer().position()).isZero();
    }

    @Test
    void isUnneededOnlyOnceGrownAndNothingOverTheMinimumWasWantedForTheQuietTime() {
        var elastic = new ElasticBuffer(1024, 64 * 1024);
        assertThat(elastic.unneededFor(SECOND, 10 * SECOND)).as("never grown").isFalse();

        elastic.ensure(10_000, 10 * SECOND);
        elastic.ensure(100, 10 * SECOND + SECOND / 2); // small wants do not keep it busy
        assertThat(elastic.unneededFor(SECOND, 10 * SECOND + SECOND / 2)).isFalse();
        assertThat(elastic.unneededFor(SECOND, 11 * SECOND)).isTrue();

        elastic.ensure(5_000, 11 * SECOND); // fits, but wanted: busy again
        assertThat(elastic.unneededFor(SECOND, 11 * SECOND + SECOND / 2)).isFalse();
    }

    @Test
    void aReplacedBufferIsEmptyAndAKeptOneIsTheSameObject() {
        var elastic = new ElasticBuffer(16, 64);
        var first = elastic.buffer();
        first.put((byte) 1);
        assertThat(elastic.ensure(16, 0)).isSameAs(first);
        assertThat(elastic.ensure(17, 0)).isNotSameAs(first).satisfies(b -> assertThat(b.position()).isZero());
    }

    @Test
    void refusesAMinimumAboveTheCap() {
        assertThatThrownBy(() -> new ElasticBuffer(128, 64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minBytes");
    }
}
