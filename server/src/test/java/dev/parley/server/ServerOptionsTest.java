package dev.parley.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerOptionsTest {

    @Test
    void hasTheDocumentedDefaults() {
        assertThat(ServerOptions.defaults()).isEqualTo(new ServerOptions(
                Duration.ofMinutes(5), 32, 64, 4096, 100, 10_000, JoinPolicy.OPEN, 50, 100, 50,
                null, Duration.ofSeconds(1), 2, Duration.ofMillis(250), Duration.ofSeconds(60),
                1_000, null, Duration.ofSeconds(5), Duration.ofSeconds(1)));
    }

    @Test
    void changesOnlyWhatTheBuilderIsTold() {
        var options = ServerOptions.builder().maxTextLength(10).joinPolicy(JoinPolicy.INVITED_ONLY).build();

        assertThat(options.toBuilder().build()).isEqualTo(options);
        assertThat(options.maxTextLength()).isEqualTo(10);
        assertThat(options.joinPolicy()).isEqualTo(JoinPolicy.INVITED_ONLY);
        assertThat(options.maxUsernameLength()).isEqualTo(32);
    }

    @Test
    void refusesOutOfRangeSettingsNamingThem() {
        assertThatThrownBy(() -> ServerOptions.builder().onlineBroadcastPeriod(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onlineBroadcastPeriod");
        assertThatThrownBy(() -> ServerOptions.builder().maxInvitees(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxInvitees must be at least 1, was 0");
        assertThatThrownBy(() -> ServerOptions.builder().messagesPerSecond(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("messagesPerSecond must not be negative, was -1");
        assertThatThrownBy(() -> ServerOptions.builder().messageBurst(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("messageBurst must be at least 1, was 0");
        assertThatThrownBy(() -> ServerOptions.builder().failedLoginDelay(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failedLoginDelay");
        assertThatThrownBy(() -> ServerOptions.builder().maxConcurrentPasswordChecks(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConcurrentPasswordChecks must be at least 1, was 0");
        assertThatThrownBy(() -> ServerOptions.builder().presenceDelay(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("presenceDelay must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> ServerOptions.builder().nodeLease(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeLease must be longer than nodeSyncPeriod (PT1S), was PT1S");
        assertThatThrownBy(() -> ServerOptions.builder().nodeSyncPeriod(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("nodeSyncPeriod must be positive, was PT0S");
        assertThatThrownBy(() -> ServerOptions.builder().nodeId(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId must not be blank nor hold control characters, was ''");
        assertThatThrownBy(() -> ServerOptions.builder().nodeId("a\nb").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId must not be blank nor hold control characters, was 'a\nb'");
        assertThatThrownBy(() -> ServerOptions.builder().joinPolicy(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("joinPolicy");
    }

    @Test
    void acceptsAZeroPeriodToDisableTheBroadcast() {
        assertThat(ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build().onlineBroadcastPeriod()).isZero();
    }
}
