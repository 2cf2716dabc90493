package dev.parley.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Collection;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decodes arbitrary bytes through Parley's registry: the result must be a message of a registered
 * type, one of the collections the registry stands for, a boxed primitive (Kryo's own ids 0–8,
 * which {@link Codec#registrations()} does not list), or a {@link CodecException}; any other
 * exception, error or hang is a finding. Runs its committed inputs in every build; see
 * SECURITY.md for fuzzing it for longer.
 */
class CodecFuzzTest {

    private static final Codec CODEC = Codec.builder().maxFrameLength(64 * 1024).build();

    @FuzzTest(maxDuration = "2m")
    void decodesAnyBytesToARegisteredMessageOrRefusesThem(byte[] frame) {
        Object message;
        try {
            message = CODEC.decode(frame);
        } catch (CodecException refused) {
            return;
        }
        assertThat(message).satisfiesAnyOf(
                m -> assertThat(CODEC.registrations()).containsValue(m.getClass()),
                m -> assertThat(m).isInstanceOfAny(Collection.class, Map.class, byte[].class, Object[].class),
                m -> assertThat(m).isInstanceOfAny(Integer.class, Float.class, Boolean.class, Byte.class,
                        Character.class, Short.class, Long.class, Double.class));
    }
}
