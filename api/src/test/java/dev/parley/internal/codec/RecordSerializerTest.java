package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import dev.parley.codec.Codec;
import dev.parley.codec.CodecException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
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

    private static final int SAMPLE_ID = 64;
    private static final int INNER_ID = 65;
    private static final int POSITIVE_ID = 66;

    private final Codec codec = Codec.builder()
            .register(SAMPLE_ID, Sample.class)
            .register(INNER_ID, Inner.class)
            .register(POSITIVE_ID, Positive.class)
            .build();

    static Stream<Sample> samples() {
        return Stream.of(
                new Sample("z", 7, true, new Inner(-3, "in"), List.of("a", "b"), 42, 0.5, Map.of("x", 1)),
                new Sample(null, 0, false, null, List.of(), null, -1e300, Map.of()),
                new Sample("ünïcode", Integer.MIN_VALUE, true, new Inner(Long.MAX_VALUE, null), null,
                        new Inner(1, "nested as Object"), Double.NaN, null));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void writesTheBytesKryosOwnRecordSerializerWrites(Sample sample) {
        assertThat(codec.encode(sample)).isEqualTo(encodeWithKryosSerializer(sample));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void readsWhatKryosOwnRecordSerializerWrote(Sample sample) {
        assertThat(codec.decode(encodeWithKryosSerializer(sample))).isEqualTo(sample);
    }

    @Test
    void refusesValuesTheRecordsConstructorRefusesNamingItsReason() {
        byte[] frame = encodeWithKryosSerializer(new Positive(5));
        frame[frame.length - 1] = 0; // zig-zag varint 0: the value 0, which Positive refuses

        assertThatThrownBy(() -> codec.decode(frame)).isInstanceOf(CodecException.class)
                .hasMessageContaining("value must be positive, was 0");
    }

    private static byte[] encodeWithKryosSerializer(Object message) {
        Kryo kryo = CoreRegistrations.newKryo(32);
        kryo.register(Sample.class, new RecordSerializer<>(Sample.class), SAMPLE_ID);
        kryo.register(Inner.class, new RecordSerializer<>(Inner.class), INNER_ID);
        kryo.register(Positive.class, new RecordSerializer<>(Positive.class), POSITIVE_ID);
        var output = new Output(1024);
        kryo.writeClassAndObject(output, message);
        byte[] bytes = output.toBytes();
        // Kryo's serializer must read them back too, or the comparison proves nothing.
        assertThat(kryo.readClassAndObject(new Input(bytes))).isEqualTo(message);
        return bytes;
    }
}
