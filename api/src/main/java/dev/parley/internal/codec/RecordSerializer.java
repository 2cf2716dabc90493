package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Writes and reads a record in exactly the bytes of Kryo's own {@code RecordSerializer} (its
 * components sorted by name; a primitive without a class id, a final type with a null marker,
 * anything else with its class id), but with each accessor and the canonical constructor bound
 * once, as method handles, instead of found and called reflectively for every message; the
 * serializer of each component whose type is fixed (primitive or final) is looked up once, on
 * first use, instead of per message.
 *
 * <p>One instance per Kryo and record class, so per thread at a time, like the Kryo that owns it.
 */
final class RecordSerializer<T> extends Serializer<T> {

    /**
     * Makes a {@code RecordSerializer} for every record class Kryo has no other serializer for, or
     * Kryo's own where the record's members cannot be made accessible to this module (a record in
     * a package opened only to Kryo); both write the same bytes.
     */
    static final SerializerFactory<Serializer<?>> FACTORY = new SerializerFactory.BaseSerializerFactory<>() {
        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Serializer<?> newSerializer(Kryo kryo, Class type) {
            try {
                return new RecordSerializer<>(kryo, type.asSubclass(Record.class));
            } catch (InaccessibleObjectException e) {
                return new com.esotericsoftware.kryo.serializers.RecordSerializer(type);
            }
        }
    };

    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
    private static final MethodType CONSTRUCTOR = MethodType.methodType(Object.class, Object[].class);

    /** One component: how to read it from a record and where it goes in the constructor. */
    private record Component(String name, Class<?> type, int index, MethodHandle getter) {
    }

    /** A record class's components in name order and its canonical constructor, bound once per class. */
    private record Binding(Component[] byName, MethodHandle constructor) {
    }

    /** Bound once per class, so the many Kryo instances of a pool share the handles. */
    private static final ClassValue<Binding> BINDINGS = new ClassValue<>() {
        @Override
        protected Binding computeValue(Class<?> recordType) {
            return bind(recordType);
        }
    };

    private final Class<?> recordType;
    private final Component[] byName;
    private final MethodHandle constructor;
    /** Whether each component, by position in {@link #byName}, goes with its class id: neither primitive nor final. */
    private final boolean[] withClassId;
    /** The serializer of each fixed-type component, by position in {@link #byName}; null until first used. */
    private final Serializer<?>[] fixedSerializers;

    private RecordSerializer(Kryo kryo, Class<? extends Record> recordType) {
        super(false, true);
        this.recordType = recordType;
        Binding binding = BINDINGS.get(recordType);
        this.byName = binding.byName();
        this.constructor = binding.constructor();
        this.withClassId = new boolean[byName.length];
        for (int i = 0; i < byName.length; i++) {
            withClassId[i] = !byName[i].type().isPrimitive() && !kryo.isFinal(byName[i].type());
        }
        this.fixedSerializers = new Serializer<?>[byName.length];
    }

    private static Binding bind(Class<?> recordType) {
        RecordComponent[] components = recordType.getRecordComponents();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Class<?>[] parameterTypes = new Class<?>[components.length];
        Component[] byName = new Component[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                parameterTypes[i] = c.getType();
                c.getAccessor().setAccessible(true);
                MethodHandle getter = lookup.unreflect(c.getAccessor()).asType(GETTER);
                byName[i] = new Component(c.getName(), c.getType(), i, getter);
            }
            var canonical = recordType.getDeclaredConstructor(parameterTypes);
            canonical.setAccessible(true);
            MethodHandle constructor = lookup.unreflectConstructor(canonical)
                    .asSpreader(Object[].class, components.length)
                    .asType(CONSTRUCTOR);
            Arrays.sort(byName, Comparator.comparing(Component::name));
            return new Binding(byName, constructor);
        } catch (ReflectiveOperationException e) {
            throw new KryoException("cannot bind the components of " + recordType.getName() + ": " + e, e);
        }
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        for (int i = 0; i < byName.length; i++) {
            Component c = byName[i];
            Object value;
            try {
                value = (Object) c.getter().invokeExact((Object) record);
            } catch (Throwable t) {
                throw traced(new KryoException(t), c);
            }
            try {
                if (withClassId[i]) {
                    kryo.writeClassAndObject(output, value);
                } else if (c.type().isPrimitive()) {
                    kryo.writeObject(output, value, fixedSerializer(kryo, i));
                } else {
                    kryo.writeObjectOrNull(output, value, fixedSerializer(kryo, i));
                }
            } catch (KryoException e) {
                throw traced(e, c);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        Object[] values = new Object[byName.length];
        for (int i = 0; i < byName.length; i++) {
            Component c = byName[i];
            try {
                if (withClassId[i]) {
                    values[c.index()] = kryo.readClassAndObject(input);
                } else if (c.type().isPrimitive()) {
                    values[c.index()] = kryo.readObject(input, c.type(), fixedSerializer(kryo, i));
                } else {
                    values[c.index()] = kryo.readObjectOrNull(input, c.type(), fixedSerializer(kryo, i));
                }
            } catch (KryoException e) {
                throw traced(e, c);
            }
        }
        try {
            return (T) (Object) constructor.invokeExact(values);
        } catch (Throwable t) {
            // A component of the wrong type, or the record's own validation refusing the values.
            KryoException e = new KryoException(t);
            e.addTrace("Could not construct type (" + recordType.getName() + ")");
            throw e;
        }
    }

    /** The registered serializer of fixed-type component {@code i}, as Kryo would look it up per message. */
    @SuppressWarnings("rawtypes")
    private Serializer fixedSerializer(Kryo kryo, int i) {
        Serializer<?> serializer = fixedSerializers[i];
        if (serializer == null) {
            serializer = kryo.getRegistration(byName[i].type()).getSerializer();
            fixedSerializers[i] = serializer;
        }
        return serializer;
    }

    private KryoException traced(KryoException e, Component c) {
        e.addTrace(c.name() + " (" + recordType.getName() + ")");
        return e;
    }
}
