package dev.parley.im;

import java.util.Objects;

/**
 * Something a client asked for went wrong; the server carries on.
 *
 * @param message what went wrong, in words
 * @param request the name of the request it answers ({@code "Join"}, ...), or empty if none
 */
public record Error(String message, String request) implements ImEvent {

    public Error {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(request, "request");
    }
}
