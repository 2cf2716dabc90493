package dev.parley.codec;

import com.esotericsoftware.kryo.io.Output;
import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.Goodbye;
import dev.parley.im.Invitation;
import dev.parley.im.Invite;
import dev.parley.im.Join;
import dev.parley.im.Leave;
import dev.parley.im.ListConversations;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.im.SendMessage;
import dev.parley.im.StatusChange;
import dev.parley.rpc.Fault;
import dev.parley.transport.FrameTooLongException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecTest {

    public record Point(int x, int y) {
    }

    public record Shape(String name, List<Point> points, Map<String, Integer> tags, Set<Long> ids, byte[] blob) {
    }

    public record Node(Object child) {
    }

    public enum Color { RED, GREEN }

    public record Unregistered(String text) {
    }

    private final Codec codec = Codec.builder()
            .register(64, Point.class)
            .register(65, Shape.class)
            .register(66, Node.class)
            .register(67, Color.class)
            .build();

    static Stream<Object> imMessages() {
        return Stream.of(
                new Register("alice", "online", "correct horse"),
                new OnlineUsers(Map.of("alice", "online", "bob", "away")),
                new OnlineUsersChanged(Map.of("bob", "away"), Set.of("carol")),
                new OnlineUsersChanged(Map.of(), Set.of()),
                new StatusChange("away"),
                new Goodbye(),
                new Invite(List.of("bob", "carol")),
                new Invitation(7, "alice"),
                new ListConversations(),
                new Conversations(Map.of(7L, List.of("alice", "bob"), 8L, List.of("carol"))),
                new Join(7),
                new SendMessage(7, 0, "héllo wörld ✓ 🎉"),
                new Message(7, 1, 0, "alice", 0, "hi"),
                new Leave(7),
                new Error("unknown conversation 9", "Join"),
                new Fault(12, "java.lang.IllegalStateException", "boom"));
    }

    @ParameterizedTest
    @MethodSource("imMessages")
    void roundTripsEveryProtocolRecord(Object message) {
        assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
    }

    @Test
    void coversAllFourteenImRecords() {
        assertThat(imMessages().filter(m -> m.getClass().getPackageName().equals("dev.parley.im"))
                .map(Object::getClass).distinct())
                .hasSize(14);
    }

    @Test
    void roundTripsRecordsWithCollectionsIntoImmutableCollections() {
        var tags = new HashMap<String, Integer>(Map.of("a", 1));
        var shape = new Shape("tri", new ArrayList<>(List.of(new Point(1, 2), new Point(3, 4))), tags,
                Set.of(5L, 6L), new byte[]{1, 2, 3});

        Shape back = (Shape) codec.decode(codec.encode(shape));

        assertThat(back.name()).isEqualTo("tri");
        assertThat(back.points()).containsExactly(new Point(1, 2), new Point(3, 4));
        assertThat(back.tags()).isEqualTo(Map.of("a", 1));
        assertThat(back.ids()).isEqualTo(Set.of(5L, 6L));
        assertThat(back.blob()).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> back.points().add(new Point(0, 0))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void roundTripsEnums() {
        assertThat(codec.decode(codec.encode(Color.GREEN))).isEqualTo(Color.GREEN);
    }

    @Test
    void refusesToEncodeAnUnregisteredClassNamingIt() {
        assertThatThrownBy(() -> codec.encode(new Unregistered("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Unregistered.class.getName());
    }

    @Test
    void rejectsAnUnregisteredClassIdWithTheId() {
        byte[] frame = kryoBytes(out -> out.writeVarInt(500 + 2, true));

        assertThatThrownBy(() -> codec.decode(frame))
                .isInstanceOfSatisfying(UnregisteredClassException.class, e -> assertThat(e.classId()).isEqualTo(500))
                .hasMessageContaining("500");
    }

    @Test
    void rejectsAnUnregisteredClassIdNestedInsideARegisteredRecord() {
        Codec sender = Codec.builder().register(66, Node.class).register(90, Point.class).build();
        byte[] frame = sender.encode(new Node(new Point(1, 2)));

        assertThatThrownBy(() -> Codec.builder().register(66, Node.class).build().decode(frame))
                .isInstanceOfSatisfying(UnregisteredClassException.class, e -> assertThat(e.classId()).isEqualTo(90));
    }

    @Test
    void neverLoadsAClassNamedInTheBytes() {
        byte[] frame = kryoBytes(out -> {
            out.writeVarInt(1, true); // Kryo's "class by name" tag
            out.writeVarInt(0, true);
            out.writeString("java.lang.ProcessBuilder");
        });

        assertThatThrownBy(() -> codec.decode(frame))
                .isInstanceOf(UnregisteredClassException.class)
                .hasMessageContaining("by its name");
    }

    @Test
    void rejectsATruncatedFrame() {
        byte[] whole = codec.encode(new Message(1, 1, 0, "alice", 0, "hello there"));
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);

        assertThatThrownBy(() -> codec.decode(cut)).isInstanceOf(CodecException.class);
    }

    @Test
    void rejectsBytesLeftOverAfterTheMessage() {
        byte[] whole = codec.encode(new Join(3));
        byte[] longer = Arrays.copyOf(whole, whole.length + 2);

        assertThatThrownBy(() -> codec.decode(longer))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("2 bytes left over after a Join");
    }

    @Test
    void decodesAFrameWhereItLiesInALargerBufferAndKeepsNoReferenceToIt() {
        var message = new Message(42, 1, 0, "alice", 0, "hello");
        byte[] frame = codec.encode(message);
        byte[] buffer = new byte[frame.length + 10];
        System.arraycopy(frame, 0, buffer, 7, frame.length);

        Object decoded = codec.decode(buffer, 7, frame.length);
        Arrays.fill(buffer, (byte) 0);
        assertThat(decoded).isEqualTo(message);
        assertThatThrownBy(() -> codec.decode(buffer, 7, frame.length + 4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void rejectsBytesLeftOverAfterTheMessageWithinALargerBuffer() {
        byte[] whole = codec.encode(new Join(3));
        byte[] buffer = new byte[whole.length + 5];
        System.arraycopy(whole, 0, buffer, 1, whole.length);

        assertThatThrownBy(() -> codec.decode(buffer, 1, whole.length + 2))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("2 bytes left over after a Join in a frame of " + (whole.length + 2) + " bytes");
    }

    @Test
    void rejectsAStringLengthLargerThanTheFrameWithoutAllocatingIt() {
        byte[] frame = kryoBytes(out -> {
            out.writeVarInt(34 + 2, true); // StatusChange
            out.writeByte(1);              // not null
            out.writeVarInt(Integer.MAX_VALUE, true);
        });

        assertThatThrownBy(() -> codec.decode(frame))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("announces 2147483647 elements");
    }

    @Test
    void rejectsACollectionCountLargerThanTheFrameWithoutAllocatingIt() {
        byte[] frame = kryoBytes(out -> {
            out.writeVarInt(36 + 2, true); // Invite
            out.writeVarInt(10 + 2, true); // an immutable list
            out.writeVarInt(1_000_000_000, true);
        });

        assertThatThrownBy(() -> codec.decode(frame))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("a list announces 1000000000 elements");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] frame = kryoBytes(out -> {
            out.writeVarInt(34 + 2, true); // StatusChange
            out.writeByte(1);
            out.writeVarInt(2, true);
            out.writeBytes(new byte[]{(byte) 0xC3, (byte) 0x28});
        });

        assertThatThrownBy(() -> codec.decode(frame))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void rejectsNullWhereARecordRequiresAValue() {
        byte[] frame = kryoBytes(out -> {
            out.writeVarInt(34 + 2, true); // StatusChange(status) with a null status
            out.writeByte(0);
        });

        assertThatThrownBy(() -> codec.decode(frame)).isInstanceOf(CodecException.class);
    }

    @Test
    void rejectsNestingDeeperThanTheLimit() {
        Object nested = new Point(0, 0);
        for (int i = 0; i < 40; i++) {
            nested = new Node(nested);
        }
        byte[] frame = Codec.builder().register(64, Point.class).register(66, Node.class).maxDepth(64).build()
                .encode(nested);

        assertThatThrownBy(() -> codec.decode(frame))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("depth");
    }

    @Test
    void refusesToEncodeAMessageLongerThanTheMaximumFrame() {
        Codec small = Codec.builder().maxFrameLength(64).build();

        assertThatThrownBy(() -> small.encode(new StatusChange("x".repeat(100))))
                .isInstanceOf(FrameTooLongException.class);
        assertThat(small.decode(small.encode(new StatusChange("fits")))).isEqualTo(new StatusChange("fits"));
    }

    @Test
    void refusesReservedAndDuplicateIds() {
        assertThatThrownBy(() -> Codec.builder().register(10, Point.class))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> Codec.builder().register(64, Point.class).register(64, Node.class))
                .hasMessageContaining("already registered for " + Point.class.getName());
        assertThatThrownBy(() -> Codec.builder().register(64, Point.class).register(65, Point.class))
                .hasMessageContaining("already registered");
    }

    @Test
    void agreesOnIdsWhateverTheOrderOfRegistration() {
        Codec other = Codec.builder().register(67, Color.class).register(66, Node.class)
                .register(65, Shape.class).register(64, Point.class).build();

        assertThat(other.decode(codec.encode(new Point(3, 4)))).isEqualTo(new Point(3, 4));
        assertThat(other.registrations()).isEqualTo(codec.registrations());
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 2_000; i++) {
                        var message = new Message(id, 1, 0, "user" + id, 0, "text " + i);
                        assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
    }

    private static byte[] kryoBytes(java.util.function.Consumer<Output> writer) {
        Output out = new Output(256);
        writer.accept(out);
        return out.toBytes();
    }
}
