package dev.parley.server.store;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared-store conformance suite again, as the Redis ACL user that OPERATIONS.md describes: a
 * user with exactly the rules it gives can do all Parley asks of Redis, fencing included.
 */
class RedisAclUserConformanceTest extends RedisSharedStoreConformanceTest {

    /** OPERATIONS.md's command, as written there; {@code PASSWORD} stands for the password. */
    private static final String SET_USER = "ACL SETUSER parley on >PASSWORD ~parley:* &parley:* &parley:{c:*}:changed +@read +@write"
            + " +time +evalsha +script|load +ping +publish +subscribe +psubscribe +client|info +client|kill";
    private static final String PASSWORD = "a-test-password";

    @BeforeEach
    void createTheUser() throws Exception {
        List<Object> command = new ArrayList<>(Arrays.asList((Object[]) SET_USER.replace("PASSWORD", PASSWORD)
                .split(" ")));
        command.add(3, "reset");
        try (var admin = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
            assertThat(admin.call(command)).isEqualTo("OK");
        }
    }

    @Override
    protected RedisAddress address() {
        return RedisAddress.parse("redis://parley:" + PASSWORD + "@" + redis.address().hostAndPort());
    }

    @Test
    void operationsMdGivesTheseRules() throws Exception {
        // Surefire runs in the module's folder, beside the repository's root.
        Path operations = Path.of("").toAbsolutePath().getParent().resolve("OPERATIONS.md");
        assertThat(Files.readString(operations).replaceAll("\\s+", " ")).contains(SET_USER);
    }

    @Test
    void mayCloseAConnectionItGaveUpOnAtRedis() throws Exception {
        try (var admin = RedisConnection.open(redis.address(), RedisOptions.defaults())) {
            assertThat(admin.call(List.of("ACL", "DRYRUN", "parley", "CLIENT", "INFO"))).isEqualTo("OK");
            assertThat(admin.call(List.of("ACL", "DRYRUN", "parley", "CLIENT", "KILL", "ID", "1", "ADDR",
                    "127.0.0.1:1"))).isEqualTo("OK");
        }
    }
}
