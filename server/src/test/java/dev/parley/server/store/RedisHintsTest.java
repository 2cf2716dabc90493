package dev.parley.server.store;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hints {@link RedisScripts#APPEND} publishes, as {@link RedisHints} parses them; through a real
 * Redis in {@link RedisSharedStoreConformanceTest} and {@link SharedStoreConformanceTest}.
 */
class RedisHintsTest {

    @Test
    void takesACursorAloneAsAHintOnly() {
        assertThat(RedisHints.carried(7, "42")).isNull();
    }

    @Test
    void parsesTheChangesAHintCarriesByteLengthsAndAll() {
        String payload = "P41;42,17,1765000000000,9,4:zoë,8:hi 😀\n;43,18,1765000000000,0,4:zoë,0:;";

        RedisHints.Carried carried = RedisHints.carried(7, payload);

        assertThat(carried).isEqualTo(new RedisHints.Carried(41, List.of(
                new Change.Posted(42, new StoredMessage(7, 17, 1765000000000L, "zoë", 9, "hi 😀\n")),
                new Change.Posted(43, new StoredMessage(7, 18, 1765000000000L, "zoë", 0, "")))));
    }

    @Test
    void refusesWhatIsNeitherACursorNorChangesThatFollowOnFromIt() {
        for (String malformed : List.of("", "x", "P", "P41", "P41;", "P41;43,17,1,0,1:a,1:b;",
                "P41;42,17,1,0,1:a,9:b;", "P41;42,17,1,0,1:a,1:b", "P41;42,17,1,0,1:a,1:bc;", "P41;42,x,1,0,1:a,1:b;",
                "P41;42,17,1,0,-1:a,1:b;")) {
            assertThatThrownBy(() -> RedisHints.carried(7, malformed)).as(malformed)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
