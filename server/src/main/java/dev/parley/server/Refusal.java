package dev.parley.server;

/**
 * A request the server turns down; its message becomes the {@link dev.parley.im.Error} the client
 * gets. Carries no stack trace: it is an answer, not a failure.
 */
final class Refusal extends Exception {

    Refusal(String message) {
        super(message, null, false, false);
    }
}
