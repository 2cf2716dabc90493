package dev.parley.internal.rpc;

/**
 * A remote method invocation on the wire.
 *
 * @param id        unique among the caller's outstanding calls on one connection
 * @param method    the method's key, see {@link MethodKeys}
 * @param arguments the arguments, each of a registered class (or null)
 * @param oneWay    true if the caller wants no reply
 */
public record Call(long id, int method, Object[] arguments, boolean oneWay) {
}
