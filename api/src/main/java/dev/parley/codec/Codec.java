package dev.parley.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Util;
import dev.parley.internal.codec.CoreRegistrations;
import dev.parley.internal.codec.ObjectPool;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.TransportOptions;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns messages into frames and back with Kryo, safely: only classes in this codec's registry
 * cross the wire, each under a fixed id, so both sides agree however they were built, and bytes
 * naming anything else are refused with {@link UnregisteredClassException} before any class is
 * loaded.
 *
 * <pre>{@code
 * Codec codec = Codec.builder()
 *         .register(64, Chat.class)
 *         .register(65, Presence.class)
 *         .build();
 * byte[] frame = codec.encode(new Chat("alice", "hi"));
 * Chat back = (Chat) codec.decode(frame);
 * }</pre>
 *
 * <p>Records are supported directly; collections in them should be copied to immutable ones in
 * the record's constructor ({@code List.copyOf}), and always decode as immutable collections.
 * Strings, lists, sets, maps, {@code byte[]} and {@code Object[]} check every length they read
 * against the bytes that remain, so a hostile count cannot allocate more than the frame's size;
 * nesting deeper than {@link Builder#maxDepth} is refused.
 *
 * <p>Every codec also registers Parley's own types: immutable collections, remote-call records and
 * the IM protocol. Ids below {@value #FIRST_USER_ID} are reserved for them.
 *
 * <p><b>Kryo's {@code kryo.unsafe} switch.</b> Kryo decides once, when its class
 * {@code com.esotericsoftware.kryo.util.Util} initialises, from the system property
 * {@code kryo.unsafe}, whether its {@code FieldSerializer} reads and writes fields through
 * {@code sun.misc.Unsafe} ({@code Util.unsafe}, a static final that {@code CachedFields} consults
 * for every field). Nothing else in Kryo reads it, and there is no per-{@code Kryo} or
 * per-serializer setting: the decision holds for every Kryo instance loaded by the same class
 * loader. Parley's own types (records, collections, remote calls) never use that path; classes an
 * application registers that are not records do, and on JDK 24 and later the first such use makes
 * the JVM print a warning that {@code Unsafe::objectFieldOffset} will be removed. So when this
 * class initialises and {@code kryo.unsafe} is not set, it sets it to {@code false}, makes Kryo take
 * its decision at once, and removes the property again: Kryo in this class loader then uses
 * reflection or ReflectASM for fields (as it does where Unsafe is missing), while the property
 * itself, which other Kryo copies (other class loaders, shaded copies) would read, is left as
 * it was found. Set {@code -Dkryo.unsafe=true} to keep Kryo's own choice; if Kryo was initialised
 * before this class, its decision stands either way.
 *
 * <p>Immutable and thread-safe. Kryo instances are used by one thread at a time: a platform thread
 * that has encoded or decoded 64 times with this codec keeps one of its own (about 15 KB, plus an
 * output buffer grown to the largest frame it encoded, up to 64 KiB) for as long as both the thread
 * and the codec live (a codec the application drops takes them with it, even from threads that
 * live on, such as a container's); other threads share a pool that keeps at most 64.
 */
public final class Codec {

    /** The smallest id applications may register. */
    public static final int FIRST_USER_ID = 64;

    private static final int INITIAL_BUFFER = 512;
    private static final int RETAINED_BUFFER = 64 * 1024;
    private static final int POOL_CAPACITY = 64;

    private static final String KRYO_UNSAFE = "kryo.unsafe";

    static {
        // See the class comment: Kryo reads the property once, in Util's initialiser, and Parley
        // leaves it as it found it.
        if (System.getProperty(KRYO_UNSAFE) == null) {
            System.setProperty(KRYO_UNSAFE, "false");
            try {
                Util.isUnsafeAvailable();
            } finally {
                System.clearProperty(KRYO_UNSAFE);
            }
        }
    }

    private final Map<Integer, Class<?>> registrations;
    private final int maxFrameLength;
    private final int maxDepth;
    private final ObjectPool<Session> sessions;

    private Codec(Builder builder) {
        this.registrations = Collections.unmodifiableMap(new TreeMap<>(builder.registrations));
        this.maxFrameLength = builder.maxFrameLength;
        this.maxDepth = builder.maxDepth;
        this.sessions = new ObjectPool<>(POOL_CAPACITY, () -> new Session(newKryo(), newOutput(), new Input()));
    }

    /** A builder for a codec with Parley's own types plus those you register. */
    public static Builder builder() {
        return new Builder();
    }

    /** A codec with only Parley's own types (remote calls, collections, the IM protocol). */
    public static Codec defaults() {
        return builder().build();
    }

    /**
     * Encodes {@code message} and its class id into a new array.
     *
     * @throws IllegalArgumentException naming the class, if it (or anything inside it) is not registered
     * @throws FrameTooLongException    if it encodes to more than {@link #maxFrameLength()} bytes
     */
    public byte[] encode(Object message) {
        Objects.requireNonNull(message, "message");
        Session session = sessions.obtain();
        try {
            Output output = session.output;
            output.reset();
            session.kryo.writeClassAndObject(output, message);
            return output.toBytes();
        } catch (KryoException | IllegalArgumentException e) {
            if (causedBy(e, KryoBufferOverflowException.class)) {
                throw new FrameTooLongException(maxFrameLength + 1L, maxFrameLength);
            }
            throw new IllegalArgumentException("cannot encode " + message.getClass().getName() + ": " + e.getMessage(), e);
        } finally {
            if (session.output.getBuffer().length > RETAINED_BUFFER) {
                session.output.setBuffer(new byte[Math.min(INITIAL_BUFFER, maxFrameLength)], maxFrameLength);
            }
            sessions.free(session);
        }
    }

    /**
     * Decodes one message from a whole frame.
     *
     * @throws UnregisteredClassException if the bytes name a class outside the registry
     * @throws CodecException             if the bytes are corrupt, truncated, too deeply nested,
     *                                    have bytes left over, or make a record refuse its values
     */
    public Object decode(byte[] frame) {
        return decode(frame, 0, frame.length);
    }

    /**
     * Decodes one message from a whole frame, the {@code length} bytes of {@code buffer} from
     * {@code offset}: for a frame read into a larger buffer. The message holds no reference to
     * {@code buffer}.
     *
     * @throws UnregisteredClassException if the bytes name a class outside the registry
     * @throws CodecException             as {@link #decode(byte[])}
     * @throws IndexOutOfBoundsException  if the bytes are not all within {@code buffer}
     */
    public Object decode(byte[] buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        Session session = sessions.obtain();
        try {
            Input input = session.input;
            input.setBuffer(buffer, offset, length);
            Object message = session.kryo.readClassAndObject(input);
            if (message == null) {
                throw new CodecException("the frame holds null, not a message");
            }
            int left = offset + length - input.position();
            if (left != 0) {
                throw new CodecException(left + " bytes left over after a "
                        + message.getClass().getSimpleName() + " in a frame of " + length + " bytes");
            }
            return message;
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw translate(e, length);
        } finally {
            session.input.setBuffer(EMPTY);
            sessions.free(session);
        }
    }

    /** The largest frame this codec produces. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * Every registered class by id, Parley's own included ({@code String} at 1), in id order. Not
     * listed: Kryo's built-in ids 0 and 2 to 8, the primitives {@code int}, {@code float},
     * {@code boolean}, {@code byte}, {@code char}, {@code short}, {@code long} and {@code double},
     * which every codec also decodes, as their boxed types.
     */
    public Map<Integer, Class<?>> registrations() {
        return registrations;
    }

    private static final byte[] EMPTY = new byte[0];

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static CodecException translate(Throwable e, int frameLength) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CodecException codecException) {
                return codecException;
            }
        }
        String detail = e instanceof KryoException k ? firstLine(k.getMessage()) : e.toString();
        return new CodecException("corrupt frame of " + frameLength + " bytes: " + detail, e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown cause";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private Output newOutput() {
        return new Output(Math.min(INITIAL_BUFFER, maxFrameLength), maxFrameLength);
    }

    private Kryo newKryo() {
        Kryo kryo = CoreRegistrations.newKryo(maxDepth);
        registrations.forEach((id, type) -> {
            if (id >= FIRST_USER_ID) {
                kryo.register(type, id);
            }
        });
        return kryo;
    }

    private record Session(Kryo kryo, Output output, Input input) {
    }

    /** Builds a {@link Codec}; not thread-safe. */
    public static final class Builder {
        private final Map<Integer, Class<?>> registrations = new TreeMap<>(CoreRegistrations.classes());
        private int maxFrameLength = TransportOptions.DEFAULT_MAX_FRAME_LENGTH;
        private int maxDepth = 32;

        private Builder() {
        }

        /**
         * Lets {@code type} cross the wire under {@code id}. Both sides must register the same
         * classes under the same ids. Records, enums and classes with a no-argument constructor
         * work; an interface type is never registered, only the concrete classes behind it.
         *
         * @throws IllegalArgumentException if the id is reserved or taken, or the type is registered already
         */
        public Builder register(int id, Class<?> type) {
            Objects.requireNonNull(type, "type");
            if (id < FIRST_USER_ID) {
                throw new IllegalArgumentException("id " + id + " for " + type.getName()
                        + " is reserved: application ids start at " + FIRST_USER_ID);
            }
            Class<?> taken = registrations.get(id);
            if (taken != null) {
                throw new IllegalArgumentException("id " + id + " is already registered for " + taken.getName());
            }
            if (registrations.containsValue(type)) {
                throw new IllegalArgumentException(type.getName() + " is already registered");
            }
            if (type.isInterface()) {
                throw new IllegalArgumentException(type.getName() + " is an interface: register the classes that implement it");
            }
            registrations.put(id, type);
            return this;
        }

        /** The largest frame to encode, in bytes. Default 1 MiB, as {@link TransportOptions}. */
        public Builder maxFrameLength(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxFrameLength must be at least 1, was " + bytes);
            }
            this.maxFrameLength = bytes;
            return this;
        }

        /** How deeply objects may nest inside one message. Default 32. */
        public Builder maxDepth(int depth) {
            if (depth < 2) {
                throw new IllegalArgumentException("maxDepth must be at least 2, was " + depth);
            }
            this.maxDepth = depth;
            return this;
        }

        public Codec build() {
            return new Codec(this);
        }
    }
}
