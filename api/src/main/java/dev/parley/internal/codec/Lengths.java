package dev.parley.internal.codec;

import com.esotericsoftware.kryo.io.Input;
import dev.parley.codec.CodecException;

/** Checks counts read from the wire before anything is allocated for them. */
final class Lengths {

    private Lengths() {
    }

    /**
     * Reads a count and checks it against the bytes left in the frame: every element takes at least
     * one byte, so a count larger than what remains is a lie, refused before allocating.
     */
    static int readCount(Input input, String what) {
        int count = input.readVarInt(true);
        int remaining = input.limit() - input.position();
        if (count < 0 || count > remaining) {
            throw new CodecException(what + " announces " + Integer.toUnsignedString(count)
                    + " elements but only " + remaining + " bytes remain");
        }
        return count;
    }
}
