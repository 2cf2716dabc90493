package dev.parley.server.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisProcessTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    @Test
    void startsFsyncingEveryWriteAndTakesAnotherSettingWhileItRuns() throws Exception {
        assertThat(setting("appendfsync")).isEqualTo("always");

        redis.process().configure("appendfsync", "everysec");

        assertThat(setting("appendfsync")).isEqualTo("everysec");
        redis.process().configure("appendfsync", "always");
    }

    @Test
    void saysWhatRedisAnsweredWhenItRefusesASetting() {
        assertThatThrownBy(() -> redis.process().configure("appendfsync", "sometimes"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("redis-server refused CONFIG SET appendfsync sometimes: ");
    }

    private static String setting(String name) throws IOException {
        try (var connection = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
            return ((List<?>) connection.call(List.of("CONFIG", "GET", name))).get(1).toString();
        }
    }
}
