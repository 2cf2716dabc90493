package dev.parley.transport.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ElasticBufferTest {

    @Test
    void growsAtLeastTwofoldUpToTheCapAndShrinksBackToTheMinimum() {
        var elastic = new ElasticBuffer(1024, 64 * 1024);
        assertThat(elastic.capacity()).isEqualTo(1024);

        assertThat(elastic.ensure(1000).capacity()).as("fits already").isEqualTo(1024);
        assertThat(elastic.ensure(1025).capacity()).as("at least doubles").isEqualTo(2048);
        assertThat(elastic.ensure(20_000).capacity()).isEqualTo(20_000);
        assertThat(elastic.ensure(1 << 20).capacity()).as("a 1 MiB frame: the cap").isEqualTo(64 * 1024);

        elastic.shrink();
        assertThat(elastic.capacity()).isEqualTo(1024);
        assertThat(elastic.buffer().position()).isZero();
    }

    @Test
    void aReplacedBufferIsEmptyAndAKeptOneIsTheSameObject() {
        var elastic = new ElasticBuffer(16, 64);
        var first = elastic.buffer();
        first.put((byte) 1);
        assertThat(elastic.ensure(16)).isSameAs(first);
        assertThat(elastic.ensure(17)).isNotSameAs(first).satisfies(b -> assertThat(b.position()).isZero());
    }

    @Test
    void refusesAMinimumAboveTheCap() {
        assertThatThrownBy(() -> new ElasticBuffer(128, 64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minBytes");
    }
}
