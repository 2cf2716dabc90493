package dev.parley.chaos.internal;

import dev.parley.chaos.Direction;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Toxics to and from the JSON objects of Toxiproxy's API ({@code {name, type, stream, toxicity,
 * attributes}}), with Toxiproxy's defaults for what a request leaves out. Stateless.
 */
public final class ToxicJson {

    private ToxicJson() {
    }

    /** {@code toxic} as a JSON object. */
    public static Map<String, Object> write(Toxic toxic) {
        var json = new LinkedHashMap<String, Object>();
        json.put("name", toxic.name());
        json.put("type", toxic.type().wireName());
        json.put("stream", toxic.stream().wireName());
        json.put("toxicity", toxic.toxicity());
        json.put("attributes", toxic.attributes());
        return json;
    }

    /**
     * The toxic a create request describes: stream downstream, toxicity 1 and name
     * {@code <type>_<stream>} unless given.
     *
     * @throws IllegalArgumentException if the type is missing or unknown, or a value out of range
     */
    public static Toxic read(Map<String, Object> json) {
        if (!(json.get("type") instanceof String type)) {
            throw new IllegalArgumentException("missing field 'type'");
        }
        ToxicType toxicType = ToxicType.fromWireName(type);
        Direction stream = Direction.fromWireName((String) json.getOrDefault("stream", "downstream"));
        String name = (String) json.getOrDefault("name", toxicType.wireName() + "_" + stream.wireName());
        double toxicity = ((Number) json.getOrDefault("toxicity", 1.0)).doubleValue();
        return new Toxic(name, toxicType, stream, toxicity, attributes(json));
    }

    /** {@code toxic} with what an update request changes: stream, toxicity, and attributes merged. */
    public static Toxic merge(Toxic toxic, Map<String, Object> json) {
        var attributes = new HashMap<>(toxic.attributes());
        attributes.putAll(attributes(json));
        Direction stream = json.containsKey("stream")
                ? Direction.fromWireName((String) json.get("stream")) : toxic.stream();
        double toxicity = json.containsKey("toxicity")
                ? ((Number) json.get("toxicity")).doubleValue() : toxic.toxicity();
        return new Toxic(toxic.name(), toxic.type(), stream, toxicity, attributes);
    }

    private static Map<String, Double> attributes(Map<String, Object> json) {
        var attributes = new LinkedHashMap<String, Double>();
        if (json.get("attributes") instanceof Map<?, ?> given) {
            given.forEach((key, value) -> attributes.put((String) key, ((Number) value).doubleValue()));
        }
        return attributes;
    }
}
