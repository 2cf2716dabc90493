package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;

import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Writes and reads a record in exactly the bytes of Kryo's own {@code RecordSerializer} (its
 * components sorted by name; a primitive without a class id, a final type with a null marker,
 * anything else with its class id), with less work per message:
 * <ul>
 *   <li>each accessor is bound once per class as a lambda ({@link LambdaMetafactory}), which the
 *       JIT calls like any method, where a method handle held in a field is an opaque call;</li>
 *   <li>a primitive component whose registered serializer is Kryo's default one is written and
 *       read in that serializer's bytes here, unboxed on write, without Kryo's per-object
 *       bookkeeping; another serializer registered for it is used as Kryo would;</li>
 *   <li>the serializer of each other fixed-type (final) component is looked up once.</li>
 * </ul>
 * Lambdas are defined beside the record, so only where it is in this module or its package opens
 * to it on the class path alike; elsewhere the accessors are method handles and every component
 * goes through Kryo, boxed.
 *
 * <p>One instance per Kryo and record class, so per thread at a time, like the Kryo that owns it.
 */
final class RecordSerializer<T> extends Serializer<T> {

    /**
     * Makes a {@code RecordSerializer} for every record class Kryo has no other serializer for, or
     * Kryo's own where the record's members cannot be made accessible to this module (a record in
     * a package opened only to Kryo); both write the same bytes. {@code maxDepth} must be the
     * Kryo's own, which the typed paths check as Kryo would.
     */
    static SerializerFactory<Serializer<?>> factory(int maxDepth) {
        return new SerializerFactory.BaseSerializerFactory<>() {
            @Override
            @SuppressWarnings({"rawtypes", "unchecked"})
            public Serializer<?> newSerializer(Kryo kryo, Class type) {
                try {
                    return new RecordSerializer<>(type.asSubclass(Record.class), maxDepth);
                } catch (InaccessibleObjectException e) {
                    return new com.esotericsoftware.kryo.serializers.RecordSerializer(type);
                }
            }
        };
    }

    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
    private static final MethodType CONSTRUCTOR = MethodType.methodType(Object.class, Object[].class);

    /** A functional interface a lambda getter implements: its type, method and return type. */
    private record Shape(Class<?> type, String method, Class<?> returns) {
    }

    private static final Shape APPLY = new Shape(Function.class, "apply", Object.class);
    private static final Shape TO_LONG = new Shape(ToLongFunction.class, "applyAsLong", long.class);
    private static final Shape TO_INT = new Shape(ToIntFunction.class, "applyAsInt", int.class);
    private static final Shape TO_DOUBLE = new Shape(ToDoubleFunction.class, "applyAsDouble", double.class);
    private static final Shape TEST = new Shape(Predicate.class, "test", boolean.class);

    /**
     * How a component goes on the wire. The first eight are primitives written here, in the bytes
     * of Kryo's default serializer for them, through a typed getter of their {@link Shape} (byte,
     * short and char widened to int, float to double, all exactly).
     */
    private enum Mode {
        LONG(long.class, DefaultSerializers.LongSerializer.class, TO_LONG),
        INT(int.class, DefaultSerializers.IntSerializer.class, TO_INT),
        SHORT(short.class, DefaultSerializers.ShortSerializer.class, TO_INT),
        BYTE(byte.class, DefaultSerializers.ByteSerializer.class, TO_INT),
        CHAR(char.class, DefaultSerializers.CharSerializer.class, TO_INT),
        DOUBLE(double.class, DefaultSerializers.DoubleSerializer.class, TO_DOUBLE),
        FLOAT(float.class, DefaultSerializers.FloatSerializer.class, TO_DOUBLE),
        BOOLEAN(boolean.class, DefaultSerializers.BooleanSerializer.class, TEST),
        /** A primitive without a typed getter or with another serializer: through Kryo, boxed. */
        PRIMITIVE(null, null, null),
        /** A final type: through Kryo, with a null marker. */
        FIXED(null, null, null),
        /** Any other type: through Kryo, with its class id. */
        CLASS_ID(null, null, null);

        private final Class<?> primitive;
        private final Class<?> kryoDefault;
        private final Shape shape;

        Mode(Class<?> primitive, Class<?> kryoDefault, Shape shape) {
            this.primitive = primitive;
            this.kryoDefault = kryoDefault;
            this.shape = shape;
        }

        /** The typed mode of primitive {@code type}. */
        static Mode typed(Class<?> type) {
            for (Mode mode : values()) {
                if (mode.primitive == type) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("not a primitive: " + type);
        }
    }

    /**
     * One component: its getter, boxing for primitives, and for a primitive where lambdas can be
     * defined a typed getter of its mode's {@link Shape}, else null.
     */
    private record Component(String name, Class<?> type, int index, Function<Object, Object> getter,
                             Object typedGetter) {
    }

    /** A record class's components in name order and its canonical constructor, bound once per class. */
    private record Binding(Component[] byName, MethodHandle constructor) {
    }

    /** Bound once per class, so the many Kryo instances of a pool share the getters. */
    private static final ClassValue<Binding> BINDINGS = new ClassValue<>() {
        @Override
        protected Binding computeValue(Class<?> recordType) {
            return bind(recordType);
        }
    };

    private final Class<?> recordType;
    private final int maxDepth;
    private final Component[] byName;
    private final MethodHandle constructor;
    /** Each component's mode, by position in {@link #byName}; null until first used, as registrations may change until then. */
    private Mode[] modes;
    /** The serializer of each component Kryo writes with a fixed type, by position in {@link #byName}; null until first used. */
    private final Serializer<?>[] fixedSerializers;

    private RecordSerializer(Class<? extends Record> recordType, int maxDepth) {
        super(false, true);
        this.recordType = recordType;
        this.maxDepth = maxDepth;
        Binding binding = BINDINGS.get(recordType);
        this.byName = binding.byName();
        this.constructor = binding.constructor();
        this.fixedSerializers = new Serializer<?>[byName.length];
    }

    private static Binding bind(Class<?> recordType) {
        RecordComponent[] components = recordType.getRecordComponents();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandles.Lookup lambdas = lambdaLookup(recordType);
        Class<?>[] parameterTypes = new Class<?>[components.length];
        Component[] byName = new Component[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                parameterTypes[i] = c.getType();
                c.getAccessor().setAccessible(true);
                MethodHandle accessor = lookup.unreflect(c.getAccessor());
                Function<Object, Object> getter = lambdas == null
                        ? handleGetter(accessor.asType(GETTER))
                        : lambda(lambdas, APPLY, accessor);
                Object typedGetter = lambdas != null && c.getType().isPrimitive()
                        ? lambda(lambdas, Mode.typed(c.getType()).shape, accessor)
                        : null;
                byName[i] = new Component(c.getName(), c.getType(), i, getter, typedGetter);
            }
            var canonical = recordType.getDeclaredConstructor(parameterTypes);
            canonical.setAccessible(true);
            MethodHandle constructor = lookup.unreflectConstructor(canonical)
                    .asSpreader(Object[].class, components.length)
                    .asType(CONSTRUCTOR);
            Arrays.sort(byName, Comparator.comparing(Component::name));
            return new Binding(byName, constructor);
        } catch (ReflectiveOperationException | LambdaConversionException e) {
            throw new KryoException("cannot bind the components of " + recordType.getName() + ": " + e, e);
        }
    }

    /**
     * A lookup with full privilege in {@code recordType}, where {@link LambdaMetafactory} may define
     * a lambda calling its accessors; null where the record is in another module or its package
     * is not open to this one.
     */
    private static MethodHandles.Lookup lambdaLookup(Class<?> recordType) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(recordType, MethodHandles.lookup());
            return lookup.hasFullPrivilegeAccess() ? lookup : null;
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    /** A lambda of {@code shape} that calls {@code accessor}, defined beside the record {@code lookup} is in. */
    @SuppressWarnings("unchecked")
    private static <F> F lambda(MethodHandles.Lookup lookup, Shape shape, MethodHandle accessor)
            throws LambdaConversionException {
        MethodType erased = MethodType.methodType(shape.returns(), Object.class);
        MethodHandle factory = LambdaMetafactory.metafactory(lookup, shape.method(), MethodType.methodType(shape.type()),
                erased, accessor, erased.changeParameterType(0, accessor.type().parameterType(0))).getTarget();
        try {
            return (F) factory.invoke();
        } catch (Throwable t) {
            throw new LambdaConversionException("cannot make a " + shape.type().getSimpleName() + " of " + accessor, t);
        }
    }

    /** A getter calling {@code getter}, a method handle, where no lambda can be defined beside the record. */
    private static Function<Object, Object> handleGetter(MethodHandle getter) {
        return record -> {
            try {
                return (Object) getter.invokeExact(record);
            } catch (Throwable t) {
                throw asKryoException(t);
            }
        };
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        Mode[] modes = modes(kryo);
        checkDepth(kryo);
        for (int i = 0; i < byName.length; i++) {
            Component c = byName[i];
            try {
                switch (modes[i]) {
                    case PRIMITIVE -> kryo.writeObject(output, value(c, record), fixedSerializer(kryo, i));
                    case FIXED -> kryo.writeObjectOrNull(output, value(c, record), fixedSerializer(kryo, i));
                    case CLASS_ID -> kryo.writeClassAndObject(output, value(c, record));
                    default -> writeTyped(output, modes[i], c.typedGetter(), record);
                }
            } catch (KryoException e) {
                throw traced(e, c);
            }
        }
    }

    /** Writes a primitive as Kryo's default serializer for it would, from its typed getter. */
    @SuppressWarnings("unchecked")
    private static void writeTyped(Output output, Mode mode, Object getter, Object record) {
        try {
            switch (mode) {
                case LONG -> output.writeVarLong(((ToLongFunction<Object>) getter).applyAsLong(record), false);
                case INT -> output.writeInt(((ToIntFunction<Object>) getter).applyAsInt(record), false);
                case SHORT -> output.writeShort(((ToIntFunction<Object>) getter).applyAsInt(record));
                case BYTE -> output.writeByte(((ToIntFunction<Object>) getter).applyAsInt(record));
                case CHAR -> output.writeChar((char) ((ToIntFunction<Object>) getter).applyAsInt(record));
                case DOUBLE -> output.writeDouble(((ToDoubleFunction<Object>) getter).applyAsDouble(record));
                case FLOAT -> output.writeFloat((float) ((ToDoubleFunction<Object>) getter).applyAsDouble(record));
                case BOOLEAN -> output.writeBoolean(((Predicate<Object>) getter).test(record));
                default -> throw new IllegalStateException("not a typed mode: " + mode);
            }
        } catch (RuntimeException e) {
            throw asKryoException(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        Mode[] modes = modes(kryo);
        checkDepth(kryo);
        Object[] values = new Object[byName.length];
        for (int i = 0; i < byName.length; i++) {
            Component c = byName[i];
            try {
                values[c.index()] = switch (modes[i]) {
                    case LONG -> Long.valueOf(input.readVarLong(false));
                    case INT -> Integer.valueOf(input.readInt(false));
                    case SHORT -> Short.valueOf(input.readShort());
                    case BYTE -> Byte.valueOf(input.readByte());
                    case CHAR -> Character.valueOf(input.readChar());
                    case DOUBLE -> Double.valueOf(input.readDouble());
                    case FLOAT -> Float.valueOf(input.readFloat());
                    case BOOLEAN -> Boolean.valueOf(input.readBoolean());
                    case PRIMITIVE -> kryo.readObject(input, c.type(), fixedSerializer(kryo, i));
                    case FIXED -> kryo.readObjectOrNull(input, c.type(), fixedSerializer(kryo, i));
                    case CLASS_ID -> kryo.readClassAndObject(input);
                };
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

    /**
     * Each component's mode, decided on first use: typed where the primitive has a typed getter
     * and Kryo's default serializer is registered for it.
     */
    private Mode[] modes(Kryo kryo) {
        if (modes == null) {
            Mode[] decided = new Mode[byName.length];
            for (int i = 0; i < byName.length; i++) {
                Class<?> type = byName[i].type();
                if (type.isPrimitive()) {
                    Mode typed = Mode.typed(type);
                    boolean kryoDefault = kryo.getRegistration(type).getSerializer().getClass() == typed.kryoDefault;
                    decided[i] = byName[i].typedGetter() != null && kryoDefault ? typed : Mode.PRIMITIVE;
                } else {
                    decided[i] = kryo.isFinal(type) ? Mode.FIXED : Mode.CLASS_ID;
                }
            }
            modes = decided;
        }
        return modes;
    }

    /**
     * Refuses a record at Kryo's deepest level, as Kryo would on its first component: the typed
     * paths do not go through Kryo, which checks the depth for each object.
     */
    private void checkDepth(Kryo kryo) {
        if (byName.length > 0 && kryo.getDepth() == maxDepth) {
            throw traced(new KryoException("Max depth exceeded: " + maxDepth), byName[0]);
        }
    }

    /** Component {@code c} of {@code record}, boxed if primitive. */
    private static Object value(Component c, Object record) {
        try {
            return c.getter().apply(record);
        } catch (RuntimeException e) {
            throw asKryoException(e);
        }
    }

    /** {@code t} as a KryoException, to which Kryo's trace of the component can be added. */
    private static KryoException asKryoException(Throwable t) {
        return t instanceof KryoException e ? e : new KryoException(t);
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
