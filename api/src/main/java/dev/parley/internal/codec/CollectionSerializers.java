package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serializers for lists, sets, maps and object arrays that read into the JDK's immutable
 * collections, with every count checked against the frame before allocation. Elements are written
 * with their class id, so they too must be registered.
 */
final class CollectionSerializers {

    private CollectionSerializers() {
    }

    /** Any {@link List}; reads as {@link List#of}, which refuses null elements. */
    static final class ListSerializer extends Serializer<List<?>> {
        ListSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            writeElements(kryo, output, list);
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            return List.of(readElements(kryo, input, "a list"));
        }
    }

    /** Any {@link Set}; reads as {@link Set#copyOf}. */
    static final class SetSerializer extends Serializer<Set<?>> {
        SetSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Set<?> set) {
            writeElements(kryo, output, set);
        }

        @Override
        public Set<?> read(Kryo kryo, Input input, Class<? extends Set<?>> type) {
            return Set.copyOf(List.of(readElements(kryo, input, "a set")));
        }
    }

    /** Any {@link Map}; reads as {@link Map#copyOf}, which refuses null keys and values. */
    static final class MapSerializer extends Serializer<Map<?, ?>> {
        MapSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Map<?, ?> map) {
            output.writeVarInt(map.size(), true);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                kryo.writeClassAndObject(output, e.getKey());
                kryo.writeClassAndObject(output, e.getValue());
            }
        }

        @Override
        public Map<?, ?> read(Kryo kryo, Input input, Class<? extends Map<?, ?>> type) {
            int size = Lengths.readCount(input, "a map");
            Map<Object, Object> map = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                map.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
            }
            return Map.copyOf(map);
        }
    }

    /** {@code Object[]}, elements possibly null; used for remote-call arguments. */
    static final class ObjectArraySerializer extends Serializer<Object[]> {
        ObjectArraySerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Object[] array) {
            writeElements(kryo, output, Arrays.asList(array));
        }

        @Override
        public Object[] read(Kryo kryo, Input input, Class<? extends Object[]> type) {
            return readElements(kryo, input, "an array");
        }
    }

    /** {@code byte[]}, copied as is. */
    static final class ByteArraySerializer extends Serializer<byte[]> {
        ByteArraySerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, byte[] bytes) {
            output.writeVarInt(bytes.length, true);
            output.writeBytes(bytes);
        }

        @Override
        public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
            return input.readBytes(Lengths.readCount(input, "a byte array"));
        }
    }

    private static void writeElements(Kryo kryo, Output output, Collection<?> elements) {
        output.writeVarInt(elements.size(), true);
        for (Object element : elements) {
            kryo.writeClassAndObject(output, element);
        }
    }

    private static Object[] readElements(Kryo kryo, Input input, String what) {
        Object[] elements = new Object[Lengths.readCount(input, what)];
        for (int i = 0; i < elements.length; i++) {
            elements[i] = kryo.readClassAndObject(input);
        }
        return elements;
    }
}
