package dev.parley.codec;

/**
 * Bytes that do not decode to a message: the typed failure of {@link Codec#decode}. The message
 * says what was wrong; the bytes came from a peer, so this is the peer's fault, never a crash.
 */
public class CodecException extends RuntimeException {

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
