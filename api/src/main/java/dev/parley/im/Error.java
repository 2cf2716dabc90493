package dev.parley.im;

import java.util.Objects;

/**
 * Something a client asked for went wrong; the server carries on.
 *
 * @param message         what went wrong, in words
 * @param request         the name of the request it answers ({@code "Join"}, ...), or empty if none
 * @param clientMessageId for a refused {@link SendMessage}, its client message id (so that the
 *                        client can tell which send was refused); 0 otherwise
 */
public record Error(String message, String request, long clientMessageId) implements ImEvent {

    public Error {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(request, "request");
    }

    /** An error that answers no particular send. */
    public Error(String message, String request) {
        this(message, request, 0);
    }
}
