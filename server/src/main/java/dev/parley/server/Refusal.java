package dev.parley.server;

import dev.parley.im.Error;
import dev.parley.im.SendMessage;

import java.util.Locale;

/**
 * A request the server turns down; its message becomes the {@link Error} the client gets, and its
 * {@link Cause} is counted ({@link ServerStatistics#refusals()}). Carries no stack trace: it is an
 * answer, not a failure.
 */
final class Refusal extends Exception {

    /** Why a request was refused, as monitoring counts it: a few stable causes, not every message. */
    enum Cause {
        /** A request other than {@code Register} before registering. */
        NOT_REGISTERED,
        /** A {@code Register} on a connection already registered, or already checking a password. */
        OUT_OF_TURN,
        /** Malformed input: a name, status, message, password or history request outside the rules. */
        INVALID,
        /** A client speaking another version of the IM protocol. */
        PROTOCOL_VERSION,
        /** A name taken, or looking like one online. */
        NAME_TAKEN,
        /** A wrong password, or a name without an account. */
        WRONG_CREDENTIALS,
        /** Too many passwords being checked at once. */
        BUSY,
        /** Over the connection's request budget ("slow down", and the clients sent away for it). */
        RATE_LIMITED,
        /** Over a server limit: invitees in one invitation, conversations. */
        OVER_LIMIT,
        /** Invitees who are not online. */
        NOT_ONLINE,
        /** A conversation the user may not join or is not a member of. */
        NOT_ALLOWED,
        /** A conversation that does not exist (any more). */
        UNKNOWN_CONVERSATION,
        /** The store could not take or read what the request needs. */
        NOT_STORED,
        /** A record that is not a request, sent to the server. */
        UNEXPECTED;

        /** The cause as a metric label: lower case, words joined by hyphens ({@code name-taken}). */
        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Cause cause;

    Refusal(Cause cause, String message) {
        super(message, null, false, false);
        this.cause = cause;
    }

    Cause cause() {
        return cause;
    }

    /** The {@link Error} refusing {@code request}, naming its client message id when it is a send. */
    static Error error(Object request, String why) {
        long clientMessageId = request instanceof SendMessage send ? send.clientMessageId() : 0;
        return new Error(why, request.getClass().getSimpleName(), clientMessageId);
    }
}
