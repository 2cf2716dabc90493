package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableSerializer;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import dev.parley.codec.Codec;
import dev.parley.codec.CodecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parley's record serializer against Kryo's own: the same bytes both ways, the same refusals. */
class RecordSerializerTest {

    public record Inner(long id, String label) {
    }

    /** Components declared out of name order, of every kind the serializer tells apart. */
    public record Sample(String zeta, int count, boolean flag, Inner inner, List<String> tags, Object any,
                         double ratio, Map<String, Integer> scores) {
    }

    public record Positive(int value) {
        public Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("value must be positive, was " + value);
            }
        }
    }

    /** Every primitive type, declared out of name order. */
    public record Primitives(long l, int i, short s, byte b, char c, double d, float f, boolean z) {
    }

    /** Every boxed type: final, so each goes with a null marker. */
    public record Boxed(Long l, Integer i, Short s, Byte b, Character c, Double d, Float f, Boolean z) {
    }

    public enum Colour { RED, GREEN }

    /** Arrays, an enum and a nested record beside a primitive. */
    public record Mixed(byte[] bytes, int[] ints, Object[] objects, Colour colour, Primitives nested, long tail) {
    }

    public record Counted(int count, String label) {
    }

    /** Nests whatever it holds one level deeper. */
    public record Chain(Object next) {
    }

    /** Registered from {@link Codec#FIRST_USER_ID} on, in this order. */
    private static final List<Class<?>> TYPES = List.of(Sample.class, Inner.class, Positive.class, Primitives.class,
            Boxed.class, Colour.class, Mixed.class, int[].class, Counted.class, Chain.class);

    private static final Primitives EXTREMES = new Primitives(Long.MIN_VALUE, Integer.MIN_VALUE, Short.MIN_VALUE,
            Byte.MIN_VALUE, Character.MAX_VALUE, Double.NaN, -0.0f, true);

    static Stream<Object> values() {
        return Stream.of(
                new Sample("z", 7, true, new Inner(-3, "in"), List.of("a", "b"), 42, 0.5, Map.of("x", 1)),
                new Sample(null, 0, false, null, List.of(), null, -1e300, Map.of()),
                new Sample("ünïcode", Integer.MIN_VALUE, true, new Inner(Long.MAX_VALUE, null), null,
                        new Inner(1, "nested as Object"), Double.NaN, null),
                EXTREMES,
                new Primitives(1L << 40, Integer.MAX_VALUE, (short) 300, Byte.MAX_VALUE, 'x', -1e300, Float.NaN, false),
                new Primitives(0, -1, (short) -1, (byte) -1, '\0', Double.MIN_VALUE, Float.MAX_VALUE, false),
                new Boxed(-1L, 1 << 20, (short) -2, (byte) 3, 'é', 0.25, -1.5f, false),
                new Boxed(null, null, null, null, null, null, null, null),
                new Mixed(new byte[] {1, -2, 3}, new int[] {-1, 1 << 30}, new Object[] {"s", 3L, null, Colour.RED},
                        Colour.GREEN, EXTREMES, Long.MAX_VALUE),
                new Mixed(null, null, null, null, null, 0),
                new Chain(new Chain(EXTREMES)));
    }

    private final Codec codec = codec();

    @ParameterizedTest
    @MethodSource("values")
    void writesTheBytesKryosOwnRecordSerializerWrites(Object value) {
        assertThat(hex(bytes(kryo(false, 32), value))).isEqualTo(hex(bytes(kryo(true, 32), value)));
    }

    @ParameterizedTest
    @MethodSource("values")
    void readsWhatKryosOwnRecordSerializerWrote(Object value) {
        byte[] bytes = bytes(kryo(true, 32), value);
        // Kryo's serializer must read them back too, or the comparison proves nothing.
        assertSameValue(read(kryo(true, 32), bytes), value);

        assertSameValue(read(kryo(false, 32), bytes), value);
    }

    @ParameterizedTest
    @MethodSource("values")
    void decodesWhatItEncodes(Object value) {
        assertSameValue(codec.decode(codec.encode(value)), value);
    }

    @Test
    void writesAndReadsAPrimitiveWithTheSerializerRegisteredForIt() {
        Kryo ours = kryo(false, 32);
        Kryo kryos = kryo(true, 32);
        ours.register(int.class, new FixedWidthInts());
        kryos.register(int.class, new FixedWidthInts());
        var counted = new Counted(1, "one");

        byte[] bytes = bytes(ours, counted);

        assertThat(hex(bytes)).isEqualTo(hex(bytes(kryos, counted)))
                .isNotEqualTo(hex(bytes(kryo(false, 32), counted)));
        assertThat(read(ours, bytes)).isEqualTo(counted);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5})
    void refusesARecordOfPrimitivesAtTheDepthKryosOwnRefuses(int chains) {
        Object value = EXTREMES;
        for (int i = 0; i < chains; i++) {
            value = new Chain(value);
        }
        Object chained = value;
        byte[] bytes = bytes(kryo(true, 32), chained);

        assertThat(outcome(() -> hex(bytes(kryo(false, 5), chained))))
                .isEqualTo(outcome(() -> hex(bytes(kryo(true, 5), chained))));
        assertThat(outcome(() -> read(kryo(false, 5), bytes).toString()))
                .isEqualTo(outcome(() -> read(kryo(true, 5), bytes).toString()));
    }

    @Test
    void writesKryosBytesForARecordNoLambdaCanBeDefinedBeside() throws Exception {
        // Loaded again, the record is in another unnamed module: Parley's getters are method handles.
        Class<?> elsewhere = reloaded(Primitives.class);
        Object value = elsewhere.getDeclaredConstructors()[0].newInstance(EXTREMES.l(), EXTREMES.i(), EXTREMES.s(),
                EXTREMES.b(), EXTREMES.c(), EXTREMES.d(), EXTREMES.f(), EXTREMES.z());
        Kryo ours = CoreRegistrations.newKryo(32);
        ours.register(elsewhere, Codec.FIRST_USER_ID);
        Kryo kryos = CoreRegistrations.newKryo(32);
        kryos.register(elsewhere, new RecordSerializer<>(elsewhere), Codec.FIRST_USER_ID);

        byte[] bytes = bytes(ours, value);

        assertThat(hex(bytes)).isEqualTo(hex(bytes(kryos, value)));
        assertThat(read(ours, bytes)).isEqualTo(value);
    }

    @Test
    void refusesValuesTheRecordsConstructorRefusesNamingTheRecordAndItsReason() {
        byte[] bytes = bytes(kryo(true, 32), new Positive(5));
        bytes[bytes.length - 1] = 0; // zig-zag varint 0: the value 0, which Positive refuses

        assertThatThrownBy(() -> read(kryo(false, 32), bytes)).isInstanceOf(KryoException.class)
                .hasMessageContaining("value must be positive, was 0")
                .hasMessageContaining(Positive.class.getName());
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("value must be positive, was 0");
    }

    /** An int in four bytes, where Kryo's default writes a varint. */
    private static final class FixedWidthInts extends ImmutableSerializer<Integer> {
        @Override
        public void write(Kryo kryo, Output output, Integer value) {
            output.writeInt(value);
        }

        @Override
        public Integer read(Kryo kryo, Input input, Class<? extends Integer> type) {
            return input.readInt();
        }
    }

    private static Codec codec() {
        Codec.Builder builder = Codec.builder();
        for (int i = 0; i < TYPES.size(); i++) {
            builder.register(Codec.FIRST_USER_ID + i, TYPES.get(i));
        }
        return builder.build();
    }

    /** A Kryo as Parley makes it, with {@link #TYPES} registered; with Kryo's own record serializer if {@code kryos}. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Kryo kryo(boolean kryos, int maxDepth) {
        Kryo kryo = CoreRegistrations.newKryo(maxDepth);
        for (int i = 0; i < TYPES.size(); i++) {
            Class type = TYPES.get(i);
            if (kryos && type.isRecord()) {
                kryo.register(type, new RecordSerializer<>(type), Codec.FIRST_USER_ID + i);
            } else {
                kryo.register(type, Codec.FIRST_USER_ID + i);
            }
        }
        return kryo;
    }

    private static byte[] bytes(Kryo kryo, Object value) {
        var output = new Output(1024);
        kryo.writeClassAndObject(output, value);
        return output.toBytes();
    }

    private static Object read(Kryo kryo, byte[] bytes) {
        return kryo.readClassAndObject(new Input(bytes));
    }

    /** Records field by field, arrays by their elements, floating-point values exactly (NaN included). */
    private static void assertSameValue(Object actual, Object expected) {
        assertThat(actual).usingRecursiveComparison()
                .withEqualsForType(Objects::equals, Double.class)
                .withEqualsForType(Objects::equals, Float.class)
                .isEqualTo(expected);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** What {@code action} gives, or the first line of the KryoException it throws. */
    private static String outcome(Supplier<String> action) {
        try {
            return action.get();
        } catch (KryoException e) {
            return "refused: " + e.getMessage().lines().findFirst().orElseThrow();
        }
    }

    /** {@code type} loaded again by a loader of its own, so in another unnamed module. */
    private static Class<?> reloaded(Class<?> type) throws IOException {
        byte[] bytes;
        try (var in = type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
            bytes = in.readAllBytes();
        }
        var loader = new ClassLoader(type.getClassLoader()) {
            Class<?> define() {
                return defineClass(type.getName(), bytes, 0, bytes.length);
            }
        };
        return loader.define();
    }
}
