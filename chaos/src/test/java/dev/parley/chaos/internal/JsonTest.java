package dev.parley.chaos.internal;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The control API's JSON: what Toxiproxy clients send parses, what the API answers prints as they expect. */
class JsonTest {

    @Test
    void parsesObjectsArraysStringsNumbersAndLiterals() {
        Object value = Json.parse(" {\"name\":\"a\\\"b\\u0041\", \"n\": -1.5e2, \"on\": true, \"off\": false,"
                + " \"none\": null, \"list\": [1, {}, []]} ");

        var expected = new LinkedHashMap<String, Object>();
        expected.put("name", "a\"bA");
        expected.put("n", -150.0);
        expected.put("on", true);
        expected.put("off", false);
        expected.put("none", null);
        expected.put("list", List.of(1.0, Map.of(), List.of()));
        assertThat(value).isEqualTo(expected);
    }

    @Test
    void printsWholeNumbersWithoutAFractionAndEscapesStrings() {
        var map = new LinkedHashMap<String, Object>();
        map.put("rate", 64.0);
        map.put("toxicity", 0.5);
        map.put("text", "line\n\"quoted\"");
        map.put("items", List.of(true));

        assertThat(Json.write(map)).isEqualTo("{\"rate\":64,\"toxicity\":0.5,\"text\":\"line\\n\\\"quoted\\\"\",\"items\":[true]}");
    }

    @Test
    void refusesBrokenTextSayingWhere() {
        assertThatThrownBy(() -> Json.parse("{\"a\": }")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON at character 6: a value was expected");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1} x")).hasMessageContaining("unexpected text after the value");
        assertThatThrownBy(() -> Json.parse("\"open")).hasMessageContaining("a string is not closed");
        assertThatThrownBy(() -> Json.parse("[".repeat(100))).hasMessageContaining("nested deeper than 32");
    }

    @Test
    void acceptsEveryNumberFormOfTheGrammarAndTheSolidusEscape() {
        assertThat(Json.parse("[-0, 0.5e-3, 10E+2, 7]")).isEqualTo(List.of(-0.0, 0.0005, 1000.0, 7.0));
        assertThat(Json.parse("\"a\\/b\"")).isEqualTo("a/b");
    }

    @Test
    void refusesWhatRfc8259DoesNotAllowRatherThanGuessing() {
        assertThatThrownBy(() -> Json.parse("+1")).hasMessage("invalid JSON at character 0: a value was expected");
        assertThatThrownBy(() -> Json.parse("01")).hasMessage("invalid JSON at character 1: unexpected text after the value");
        assertThatThrownBy(() -> Json.parse(".5")).hasMessageContaining("a value was expected");
        assertThatThrownBy(() -> Json.parse("[1.]")).hasMessageContaining("']' was expected");
        assertThatThrownBy(() -> Json.parse("[1e]")).hasMessageContaining("']' was expected");
        assertThatThrownBy(() -> Json.parse("\"\\x\"")).hasMessage("invalid JSON at character 1: \\x is no JSON escape");
        assertThatThrownBy(() -> Json.parse("\"tab\there\""))
                .hasMessage("invalid JSON at character 4: a control character must be escaped in a string");
        assertThatThrownBy(() -> Json.parse("\u00a0[]")).hasMessageContaining("a value was expected");
    }

    @Test
    void refusesAKeyThatAppearsTwiceInOneObjectSayingWhich() {
        assertThatThrownBy(() -> Json.parse("{\"enabled\": true, \"enabled\": false}"))
                .hasMessage("invalid JSON at character 18: the key \"enabled\" appears twice");
        assertThat(Json.parse("[{\"a\": 1}, {\"a\": 2}]")).isEqualTo(List.of(Map.of("a", 1.0), Map.of("a", 2.0)));
    }
}
