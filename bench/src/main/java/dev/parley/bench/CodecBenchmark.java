package dev.parley.bench;

import dev.parley.codec.Codec;
import dev.parley.im.Message;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/**
 * JMH: encode and decode of the IM {@link Message} record, Parley's codec against Java
 * serialization (of an equivalent {@link Serializable} record, as IM records are not
 * serializable), and of a {@link Stamp} with a 1 KiB payload, a long and bytes, through Parley's
 * codec. JMH runs it on its own threads; the state is shared and thread-safe.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

    /** The message both codecs carry: what a chat line looks like. */
    static final Message MESSAGE = new Message(42, 1, 0, "alice", 0, "see you at the standup in five minutes");

    /** A stamp as the under-loss benchmark sends it, with a 1 KiB payload. */
    static final Stamp STAMP = new Stamp(1_234_567_890_123L, new byte[1024]);

    private final Codec codec = Codec.defaults();
    private final Codec stampCodec = Codec.builder().register(LossRun.STAMP_ID, Stamp.class).build();
    private final SerializableMessage serializable =
            new SerializableMessage(MESSAGE.conversationId(), MESSAGE.sender(), MESSAGE.text());

    /** Encodes and decodes with Parley's Kryo codec. */
    @Benchmark
    public Object parleyCodec() {
        return codec.decode(codec.encode(MESSAGE));
    }

    /** Encodes and decodes a {@link Stamp} with Parley's Kryo codec. */
    @Benchmark
    public Object parleyCodecStamp() {
        return stampCodec.decode(stampCodec.encode(STAMP));
    }

    /** Encodes and decodes with {@link ObjectOutputStream} and {@link ObjectInputStream}. */
    @Benchmark
    public Object javaSerialization() throws IOException, ClassNotFoundException {
        return javaDecode(javaEncode(serializable));
    }

    /** Bytes on the wire for the message with Parley's codec. */
    int parleyBytes() {
        return codec.encode(MESSAGE).length;
    }

    /** Bytes on the wire for the message with Java serialization. */
    int javaBytes() throws IOException {
        return javaEncode(serializable).length;
    }

    private static byte[] javaEncode(Object value) throws IOException {
        var bytes = new ByteArrayOutputStream(256);
        try (var out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static Object javaDecode(byte[] bytes) throws IOException, ClassNotFoundException {
        try (var in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    /** The IM message's fields as a record Java serialization accepts. */
    record SerializableMessage(long conversationId, String sender, String text) implements Serializable {
    }
}
