package dev.parley.rpc;

import java.util.Objects;

/**
 * A remote method failed: the name of the exception's class and its message, as text. Parley never
 * sends exception objects, so a peer cannot make this side instantiate a class it chose.
 *
 * @param callId  the call this answers
 * @param type    the fully qualified class name of the exception thrown remotely
 * @param message its message, or an empty string
 */
public record Fault(long callId, String type, String message) {

    public Fault {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : message;
    }
}
