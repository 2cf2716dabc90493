package dev.parley.internal.rpc;

import dev.parley.rpc.Fault;
import dev.parley.rpc.OneWay;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The remote interfaces an endpoint serves, by method key. Immutable once built; {@link #invoke}
 * may be called from any thread.
 */
public final class Services {

    private record Target(Object implementation, Method method, String name) {
    }

    /** The method keys in ascending order, and at the same index each one's target: looked up without boxing the key. */
    private final int[] keys;
    private final Target[] byKey;

    private Services(int[] keys, Target[] byKey) {
        this.keys = keys;
        this.byKey = byKey;
    }

    /** The target of method key {@code key}, or null. */
    private Target target(int key) {
        int index = Arrays.binarySearch(keys, key);
        return index >= 0 ? byKey[index] : null;
    }

    public static Services none() {
        return new Services(new int[0], new Target[0]);
    }

    /**
     * Returns these services and every method of {@code iface}, served by {@code implementation};
     * this instance is unchanged.
     *
     * @throws IllegalArgumentException if {@code iface} is not an interface, a {@link OneWay} method
     *                                  does not return void, or two methods share a key
     */
    public Services with(Class<?> iface, Object implementation) {
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface.getName() + " is not an interface");
        }
        if (!iface.isInstance(implementation)) {
            throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement " + iface.getName());
        }
        Method[] methods = iface.getMethods();
        int[] allKeys = Arrays.copyOf(keys, keys.length + methods.length);
        Target[] all = Arrays.copyOf(byKey, allKeys.length);
        int size = keys.length;
        for (Method method : methods) {
            if (Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            checkOneWay(iface, method);
            int key = MethodKeys.key(iface, method);
            int index = Arrays.binarySearch(allKeys, 0, size, key);
            if (index >= 0) {
                throw new IllegalArgumentException(MethodKeys.signature(iface, method) + " has the same key as "
                        + all[index].name() + " or is served twice");
            }
            int at = -index - 1; // keeps the keys sorted
            System.arraycopy(allKeys, at, allKeys, at + 1, size - at);
            System.arraycopy(all, at, all, at + 1, size - at);
            allKeys[at] = key;
            all[at] = new Target(implementation, method, MethodKeys.shortName(iface, method));
            size++;
        }
        return new Services(Arrays.copyOf(allKeys, size), Arrays.copyOf(all, size));
    }

    /** Checks a method may be called remotely; shared by the serving and the calling side. */
    public static void checkOneWay(Class<?> iface, Method method) {
        if (method.isAnnotationPresent(OneWay.class) && method.getReturnType() != void.class) {
            throw new IllegalArgumentException("@OneWay method " + MethodKeys.shortName(iface, method) + " must return void");
        }
    }

    /**
     * True if the method {@code call} names returns {@code CompletableFuture}: its answer comes
     * later, so it may be run on a thread that must not block (the caller of such a method
     * promises not to block in it, only to start the work and return the future).
     */
    public boolean isAsync(Call call) {
        Target target = target(call.method());
        return target != null && CompletableFuture.class.isAssignableFrom(target.method().getReturnType());
    }

    /**
     * Runs {@code call} on the calling thread and returns its answer (a {@link Reply} or a
     * {@link Fault}) if it is known at once: for ordinary methods, and for methods returning a
     * {@code CompletableFuture} already done. Otherwise returns null and hands the answer to
     * {@code later} when the future completes, on the thread that completes it.
     */
    public Object invoke(Call call, Consumer<Object> later) {
        Target target = target(call.method());
        if (target == null) {
            return new Fault(call.id(), UnsupportedOperationException.class.getName(),
                    "no remote method with key " + call.method() + " is served here");
        }
        Object result;
        try {
            result = target.method().invoke(target.implementation(), call.arguments());
        } catch (InvocationTargetException e) {
            return fault(call.id(), e.getCause());
        } catch (IllegalArgumentException e) {
            return new Fault(call.id(), IllegalArgumentException.class.getName(),
                    "arguments do not match " + target.name() + ": " + e.getMessage());
        } catch (IllegalAccessException e) {
            return fault(call.id(), e);
        }
        if (!(result instanceof CompletableFuture<?> future)) {
            return new Reply(call.id(), result);
        }
        if (future.state() == Future.State.SUCCESS) {
            return new Reply(call.id(), future.resultNow()); // done already: no callback to allocate
        }
        future.whenComplete((value, failure) -> later.accept(failure == null
                ? new Reply(call.id(), value)
                : fault(call.id(), failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure)));
        return null;
    }

    private static Fault fault(long callId, Throwable failure) {
        return new Fault(callId, failure.getClass().getName(), failure.getMessage());
    }
}
