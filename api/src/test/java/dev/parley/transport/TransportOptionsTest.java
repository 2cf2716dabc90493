package dev.parley.transport;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransportOptionsTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        var defaults = TransportOptions.defaults();

        assertThat(defaults.maxFrameLength()).isEqualTo(1 << 20);
        assertThat(defaults.maxQueuedBytes()).isEqualTo(4L << 20);
        assertThat(defaults.maxConnections()).isEqualTo(10_000);
        assertThat(defaults.maxUnfinishedFrameBytes()).isEqualTo(64L << 20);
        assertThat(defaults.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.keepAliveInterval()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aBuilderChangesOnlyWhatItIsTold() {
        var options = TransportOptions.defaults().toBuilder().maxUnfinishedFrameBytes(8L << 20).build();

        assertThat(options.maxUnfinishedFrameBytes()).isEqualTo(8L << 20);
        assertThat(options.maxFrameLength()).isEqualTo(TransportOptions.DEFAULT_MAX_FRAME_LENGTH);
    }

    @Test
    void refusesABudgetForUnfinishedFramesSmallerThanTheLongestFrame() {
        var builder = TransportOptions.defaults().toBuilder().maxFrameLength(2 << 20).maxUnfinishedFrameBytes(1 << 20);

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxUnfinishedFrameBytes (1048576) must be at least maxFrameLength (2097152)");
    }

    @Test
    void refusesATimeoutLongerThanAYear() {
        var builder = TransportOptions.defaults().toBuilder().idleTimeout(TransportOptions.MAX_TIMEOUT.plusSeconds(1));

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idleTimeout must be at most 365 days");
        assertThat(TransportOptions.defaults().toBuilder().idleTimeout(TransportOptions.MAX_TIMEOUT).build().idleTimeout())
                .isEqualTo(TransportOptions.MAX_TIMEOUT);
    }

    @Test
    void refusesAKeepaliveIntervalNotShorterThanTheIdleTimeout() {
        var builder = TransportOptions.defaults().toBuilder().idleTimeout(Duration.ofSeconds(5))
                .keepAliveInterval(Duration.ofSeconds(5));

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be shorter than idleTimeout");
    }
}
