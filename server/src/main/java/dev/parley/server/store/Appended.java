package dev.parley.server.store;

/**
 * What {@link ChatStore#append} stored, or found stored already.
 *
 * @param duplicate true if the client message id had been stored before: {@code message} is that earlier one
 */
public record Appended(StoredMessage message, boolean duplicate) {
}
