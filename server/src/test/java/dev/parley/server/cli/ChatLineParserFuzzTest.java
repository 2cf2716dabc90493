package dev.parley.server.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parses arbitrary lines (the input's bytes as UTF-8, as a terminal or a pipe would give them) as
 * chat commands: every line must become a command or an {@code Invalid} with a reason, never an
 * exception. Runs its committed inputs in every build; see SECURITY.md for fuzzing it for longer.
 */
class ChatLineParserFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void turnsAnyLineIntoACommandOrAnInvalidLine(byte[] input) {
        ChatLine parsed = ChatLineParser.parse(new String(input, StandardCharsets.UTF_8));

        assertThat(parsed).isNotNull();
        if (parsed instanceof ChatLine.Invalid invalid) {
            assertThat(invalid.reason()).isNotBlank();
        }
    }
}
