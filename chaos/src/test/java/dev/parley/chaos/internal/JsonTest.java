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
}
