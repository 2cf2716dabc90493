package dev.parley.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class ChatLineParserTest {

    @Test
    void readsEveryCommand() {
        assertThat(ChatLineParser.parse("/invite bob carol")).isEqualTo(new ChatLine.Invite(List.of("bob", "carol")));
        assertThat(ChatLineParser.parse("/join 3")).isEqualTo(new ChatLine.Join(3));
        assertThat(ChatLineParser.parse("/say 3 hello there")).isEqualTo(new ChatLine.Say(3, "hello there"));
        assertThat(ChatLineParser.parse("/list")).isEqualTo(new ChatLine.ListConversations());
        assertThat(ChatLineParser.parse("/history 3")).isEqualTo(new ChatLine.ShowHistory(3, ChatLineParser.HISTORY_COUNT));
        assertThat(ChatLineParser.parse("/history 3 50")).isEqualTo(new ChatLine.ShowHistory(3, 50));
        assertThat(ChatLineParser.parse("/status be right back")).isEqualTo(new ChatLine.Status("be right back"));
        assertThat(ChatLineParser.parse("/leave 3")).isEqualTo(new ChatLine.Leave(3));
        assertThat(ChatLineParser.parse("/quit")).isEqualTo(new ChatLine.Quit());
        assertThat(ChatLineParser.parse("/help")).isEqualTo(new ChatLine.Help());
    }

    @Test
    void refusesAHistoryWithoutANumberOrWithACountBelowOne() {
        for (String line : List.of("/history", "/history x", "/history 3 0", "/history 3 -2", "/history 3 lots",
                "/history 3 4 5", "/history 3 99999999999")) {
            assertThat(ChatLineParser.parse(line)).as(line).isEqualTo(new ChatLine.Invalid("usage: /history ID [N]"));
        }
    }

    @Test
    void toleratesSurroundingAndRepeatedWhitespaceAndCommandCase() {
        assertThat(ChatLineParser.parse("  /INVITE   bob \t carol  ")).isEqualTo(new ChatLine.Invite(List.of("bob", "carol")));
        assertThat(ChatLineParser.parse("/Say 3   two  spaces")).isEqualTo(new ChatLine.Say(3, "two  spaces"));
    }

    @Test
    void takesABlankLineForNothing() {
        assertThat(ChatLineParser.parse("")).isEqualTo(new ChatLine.Blank());
        assertThat(ChatLineParser.parse(" \t ")).isEqualTo(new ChatLine.Blank());
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/invite           | usage: /invite USER...",
            "/join             | usage: /join ID",
            "/join x           | usage: /join ID",
            "/join 1 2         | usage: /join ID",
            "/join 99999999999999999999 | usage: /join ID",
            "/say 3            | usage: /say ID TEXT...",
            "/say x hello      | usage: /say ID TEXT...",
            "/list all         | usage: /list",
            "/status           | usage: /status STATUS...",
            "/leave            | usage: /leave ID",
            "/quit now         | usage: /quit",
            "/dance            | unknown command /dance; /help lists them",
            "hello             | not a command: commands start with /, for example /say 1 hello; /help lists them",
    })
    void explainsAMistakeInOneLine(String line, String reason) {
        assertThat(ChatLineParser.parse(line)).isEqualTo(new ChatLine.Invalid(reason));
    }

    @Test
    void listsEveryCommandInTheHelp() {
        assertThat(ChatLineParser.help()).hasSize(9)
                .anySatisfy(line -> assertThat(line).startsWith("/invite USER...").contains("start a conversation"))
                .allSatisfy(line -> assertThat(line).startsWith("/"));
    }

    @Test
    void neverThrowsWhateverTheLine() {
        var random = new Random(42);
        String alphabet = "/ \t0123456789-sayjoinvtelqu\u0000\u00e9\ud83d\ude00";
        for (int n = 0; n < 10_000; n++) {
            var line = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                line.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertThatCode(() -> assertThat(ChatLineParser.parse(line.toString())).isNotNull())
                    .as("seed 42, line %d: %s", n, line).doesNotThrowAnyException();
        }
    }
}
