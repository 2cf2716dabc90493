package dev.parley.internal.rpc;

/**
 * The value a remote method returned.
 *
 * @param callId the call this answers
 * @param value  the return value, of a registered class, or null (also for void methods)
 */
public record Reply(long callId, Object value) {
}
