package dev.parley.chaos;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One fault on a proxy, as Toxiproxy describes it: a name unique on its proxy, a {@link ToxicType},
 * the {@link Direction} it acts in, a toxicity (the probability, 0 to 1, that it acts on a given
 * connection, or for UDP on a given client) and the type's attributes. Immutable.
 *
 * <pre>{@code
 * proxy.add(Toxic.of(ToxicType.LATENCY, Direction.DOWNSTREAM).with("latency", 100).with("jitter", 50));
 * }</pre>
 *
 * @param attributes every attribute of the type, missing ones at their defaults; unknown ones are refused
 */
public record Toxic(String name, ToxicType type, Direction stream, double toxicity, Map<String, Double> attributes) {

    /** @throws IllegalArgumentException naming the value that is out of range */
    public Toxic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stream, "stream");
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("toxic name must be non-empty and without '/', was '" + name + "'");
        }
        if (!(toxicity >= 0 && toxicity <= 1)) {
            throw new IllegalArgumentException("toxicity must be between 0 and 1, was " + toxicity);
        }
        var complete = new LinkedHashMap<>(type.defaults());
        for (var attribute : attributes.entrySet()) {
            if (!complete.containsKey(attribute.getKey())) {
                throw new IllegalArgumentException(type.wireName() + " has no attribute '" + attribute.getKey()
                        + "'; it has " + type.defaults().keySet());
            }
            double value = attribute.getValue();
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(type.wireName() + "." + attribute.getKey()
                        + " must be a finite number, at least 0, was " + value);
            }
            complete.put(attribute.getKey(), value);
        }
        attributes = Collections.unmodifiableMap(complete);
    }

    /**
     * A toxic of {@code type} in direction {@code stream}, named {@code <type>_<stream>} as
     * Toxiproxy names toxics by default, always acting, with default attributes.
     */
    public static Toxic of(ToxicType type, Direction stream) {
        return new Toxic(type.wireName() + "_" + stream.wireName(), type, stream, 1, Map.of());
    }

    /** This toxic with attribute {@code attribute} set to {@code value}. */
    public Toxic with(String attribute, double value) {
        var changed = new LinkedHashMap<>(attributes);
        changed.put(attribute, value);
        return new Toxic(name, type, stream, toxicity, changed);
    }

    /** This toxic renamed. */
    public Toxic named(String newName) {
        return new Toxic(newName, type, stream, toxicity, attributes);
    }

    /** This toxic acting on a share {@code newToxicity} (0 to 1) of connections. */
    public Toxic withToxicity(double newToxicity) {
        return new Toxic(name, type, stream, newToxicity, attributes);
    }

    /** The value of {@code attribute}. */
    public double attribute(String attribute) {
        Double value = attributes.get(attribute);
        if (value == null) {
            throw new IllegalArgumentException(type.wireName() + " has no attribute '" + attribute + "'");
        }
        return value;
    }

    /** The value of {@code attribute} in whole units, as Toxiproxy's integer attributes are. */
    public long longAttribute(String attribute) {
        return Math.round(attribute(attribute));
    }
}
