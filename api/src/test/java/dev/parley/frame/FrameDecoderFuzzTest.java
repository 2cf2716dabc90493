package dev.parley.frame;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.transport.FrameTooLongException;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds the framer arbitrary bytes in arbitrary reads: it must return frames no longer than its
 * maximum, keepalives, "need more", or throw {@link FrameTooLongException}, and nothing else. The
 * input's first two bytes are the maximum frame length, its third the size of each read, the rest
 * the stream. Runs its committed inputs in every build; see SECURITY.md for fuzzing it for longer.
 */
class FrameDecoderFuzzTest {

    private static final int SETTINGS_BYTES = 3;

    @FuzzTest(maxDuration = "2m")
    void cutsAnyStreamIntoFramesWithinTheLimitOrRefusesIt(byte[] input) {
        if (input.length < SETTINGS_BYTES) {
            return;
        }
        var settings = ByteBuffer.wrap(input);
        int maxFrameLength = 1 + Short.toUnsignedInt(settings.getShort());
        int readSize = 1 + Byte.toUnsignedInt(settings.get());
        var decoder = new FrameDecoder(maxFrameLength);
        try {
            for (int at = SETTINGS_BYTES; at < input.length; at += readSize) {
                var read = ByteBuffer.wrap(input, at, Math.min(readSize, input.length - at));
                while (read.hasRemaining()) {
                    byte[] frame = decoder.decode(read);
                    if (frame != null && frame != FrameDecoder.KEEPALIVE) {
                        assertThat(frame.length).isBetween(1, maxFrameLength);
                    }
                }
            }
        } catch (FrameTooLongException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
