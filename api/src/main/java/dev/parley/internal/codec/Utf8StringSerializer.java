package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.parley.codec.CodecException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strings as a byte count and UTF-8 bytes. Unlike Kryo's own string format, the length is checked
 * against the frame before any allocation, and malformed UTF-8 is refused rather than replaced.
 * One instance per Kryo, so per thread at a time; it holds a reusable decoder.
 */
final class Utf8StringSerializer extends Serializer<String> {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    Utf8StringSerializer() {
        super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        output.writeVarInt(bytes.length, true);
        output.writeBytes(bytes);
    }

    /**
     * Decodes straight from the frame's array, without copying the bytes out first: the codec's
     * {@link Input} always wraps a whole frame, and {@link Lengths#readCount} has checked that the
     * string's bytes lie within it.
     */
    @Override
    public String read(Kryo kryo, Input input, Class<? extends String> type) {
        int length = Lengths.readCount(input, "a string");
        byte[] frame = input.getBuffer();
        int start = input.position();
        input.setPosition(start + length);
        if (isAscii(frame, start, length)) {
            return new String(frame, start, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return decoder.decode(ByteBuffer.wrap(frame, start, length)).toString();
        } catch (CharacterCodingException e) {
            throw new CodecException("a string of " + length + " bytes is not valid UTF-8", e);
        }
    }

    private static boolean isAscii(byte[] bytes, int start, int length) {
        for (int i = start; i < start + length; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
