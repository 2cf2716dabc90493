package dev.parley.server.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisAddressTest {

    @Test
    void readsHostPortUserPasswordAndDatabase() {
        assertThat(RedisAddress.parse("redis://app:s%40cret@redis.example:6380/2"))
                .isEqualTo(new RedisAddress(false, "redis.example", 6380, "app", "s@cret", 2));
        assertThat(RedisAddress.parse("rediss://:pw@[::1]"))
                .isEqualTo(new RedisAddress(true, "::1", RedisAddress.DEFAULT_PORT, null, "pw", 0));
        assertThat(RedisAddress.parse("redis://localhost")).isEqualTo(RedisAddress.of("localhost", 6379));
    }

    @Test
    void printsItselfWithoutThePassword() {
        assertThat(RedisAddress.parse("redis://app:secret@h:1/3")).hasToString("redis://app:***@h:1/3");
        assertThat(RedisAddress.parse("rediss://:secret@h")).hasToString("rediss://:***@h:6379");
    }

    @Test
    void saysWhatIsWrongWithAnAddress() {
        assertThatThrownBy(() -> RedisAddress.parse("http://h")).hasMessageContaining("redis:// or rediss://");
        assertThatThrownBy(() -> RedisAddress.parse("redis://h/x")).hasMessageContaining("database is a number");
        assertThatThrownBy(() -> RedisAddress.parse("redis:///0")).hasMessageContaining("no host");
        assertThatThrownBy(() -> RedisAddress.parse("redis://h:0")).hasMessageContaining("port must be 1 to 65535");
    }
}
