package dev.parley.server;

import dev.parley.im.Error;
import dev.parley.im.SendMessage;

/**
 * A request the server turns down; its message becomes the {@link Error} the client gets. Carries
 * no stack trace: it is an answer, not a failure.
 */
final class Refusal extends Exception {

    Refusal(String message) {
        super(message, null, false, false);
    }

    /** The {@link Error} refusing {@code request}, naming its client message id when it is a send. */
    static Error error(Object request, String why) {
        long clientMessageId = request instanceof SendMessage send ? send.clientMessageId() : 0;
        return new Error(why, request.getClass().getSimpleName(), clientMessageId);
    }
}
