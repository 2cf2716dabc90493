package dev.parley.internal.rpc;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The wire key of a remote method: the hash of its interface, name and parameter types. Both sides
 * compute it from the same interface, so no table has to be exchanged; {@link String#hashCode()}
 * is specified, hence stable across JVMs. Collisions are caught where a service is registered.
 */
public final class MethodKeys {

    private MethodKeys() {
    }

    public static int key(Class<?> iface, Method method) {
        return signature(iface, method).hashCode();
    }

    /** {@code com.example.Greeter#hello(java.lang.String)}: for keys and for messages. */
    public static String signature(Class<?> iface, Method method) {
        return iface.getName() + "#" + method.getName() + Arrays.stream(method.getParameterTypes())
                .map(Class::getName)
                .collect(Collectors.joining(",", "(", ")"));
    }

    /** {@code Greeter.hello}: short, for error messages. */
    public static String shortName(Class<?> iface, Method method) {
        return iface.getSimpleName() + "." + method.getName();
    }
}
