package dev.parley.internal.rpc;

import dev.parley.rpc.OneWay;
import dev.parley.rpc.RemoteException;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The proxy behind a remote interface: each method call becomes a {@link Call}; the answer
 * completes a future (methods returning {@code CompletableFuture}) or is awaited (all others).
 * Thread-safe; any thread may call through the proxy.
 */
public final class RemoteInvoker implements InvocationHandler {

    /** What the invoker needs from the connection it calls over. */
    public interface Channel {
        PendingCalls pendingCalls();

        void send(Object message) throws IOException;

        /** True on the thread that delivers this connection's messages, which must never block on a call. */
        boolean isDeliveryThread();
    }

    private record MethodInfo(int key, String name, boolean oneWay, boolean async) {
    }

    private final Class<?> iface;
    private final Channel channel;
    private final Duration deadline;
    private final Map<Method, MethodInfo> methods = new ConcurrentHashMap<>();

    private RemoteInvoker(Class<?> iface, Channel channel, Duration deadline) {
        this.iface = iface;
        this.channel = channel;
        this.deadline = deadline;
    }

    /** A proxy of {@code iface} whose calls go over {@code channel}, each with {@code deadline}. */
    public static <I> I proxy(Class<I> iface, Channel channel, Duration deadline) {
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface.getName() + " is not an interface");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive, was " + deadline);
        }
        for (Method method : iface.getMethods()) {
            Services.checkOneWay(iface, method);
        }
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[]{iface},
                new RemoteInvoker(iface, channel, deadline)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "remote " + iface.getName();
            };
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        MethodInfo info = methods.get(method);
        if (info == null) { // looked up first: computeIfAbsent would allocate its capturing lambda on every call
            info = methods.computeIfAbsent(method, m -> new MethodInfo(MethodKeys.key(iface, m),
                    MethodKeys.shortName(iface, m), m.isAnnotationPresent(OneWay.class),
                    CompletableFuture.class.isAssignableFrom(m.getReturnType())));
        }
        Object[] arguments = args == null ? new Object[0] : args;
        PendingCalls pending = channel.pendingCalls();
        long id = pending.nextId();
        if (info.oneWay()) {
            send(new Call(id, info.key(), arguments, true), info);
            return null;
        }
        if (!info.async() && channel.isDeliveryThread()) {
            throw new IllegalStateException("blocking remote call " + info.name()
                    + " from the thread that delivers this connection's messages would wait forever;"
                    + " declare it to return CompletableFuture, or call it from another thread");
        }
        CompletableFuture<Object> result = pending.expect(id, info.name(), deadline);
        try {
            send(new Call(id, info.key(), arguments, false), info);
        } catch (RemoteException e) {
            pending.fail(id, e);
        }
        if (info.async()) {
            return result;
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RemoteException r ? r : new RemoteException(info.name() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.fail(id, e);
            throw new RemoteException(info.name() + " was interrupted while waiting for its answer", e);
        }
    }

    private void send(Call call, MethodInfo info) {
        try {
            channel.send(call);
        } catch (IOException e) {
            throw new RemoteException(info.name() + " could not be sent: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(info.name() + ": " + e.getMessage(), e);
        }
    }
}
