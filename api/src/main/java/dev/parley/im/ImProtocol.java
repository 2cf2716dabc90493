package dev.parley.im;

/**
 * Facts of the IM protocol both sides rely on. The records themselves are registered in every
 * {@link dev.parley.codec.Codec}, under fixed ids.
 */
public final class ImProtocol {

    /** The port the IM server listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 6666;

    /**
     * The version of the protocol these records speak, carried by {@link Register}. Version 2
     * numbered messages and added history; version 3 names the refused send's client message id in
     * an {@link Error}. A server refuses a client of another version by name.
     */
    public static final int VERSION = 3;

    private ImProtocol() {
    }

    /** The name an {@link Error} carries for {@code request}: its record's simple name. */
    public static String requestName(ImRequest request) {
        return request.getClass().getSimpleName();
    }
}
