package dev.parley.im;

/** The server refused a request with an {@link Error}. */
public final class ImException extends Exception {

    private final Error error;

    public ImException(Error error) {
        super(error.message());
        this.error = error;
    }

    /** The server's answer. */
    public Error error() {
        return error;
    }
}
