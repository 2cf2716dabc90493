package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.GetHistory;
import dev.parley.im.Goodbye;
import dev.parley.im.History;
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
import dev.parley.internal.rpc.Call;
import dev.parley.internal.rpc.Reply;
import dev.parley.rpc.Fault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Parley's own wire types and their fixed ids (below {@code Codec.FIRST_USER_ID}). Kryo itself
 * takes ids 0–8 for primitives and {@code String}. Never renumber: ids are the wire format.
 */
public final class CoreRegistrations {

    private record Entry(int id, Class<?> type, Supplier<Serializer<?>> serializer) {
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry(10, List.of().getClass(), CollectionSerializers.ListSerializer::new),
            new Entry(11, List.of(1).getClass(), CollectionSerializers.ListSerializer::new),
            new Entry(12, ArrayList.class, CollectionSerializers.ListSerializer::new),
            new Entry(13, Arrays.asList().getClass(), CollectionSerializers.ListSerializer::new),
            new Entry(14, Set.of().getClass(), CollectionSerializers.SetSerializer::new),
            new Entry(15, Set.of(1).getClass(), CollectionSerializers.SetSerializer::new),
            new Entry(16, HashSet.class, CollectionSerializers.SetSerializer::new),
            new Entry(17, Map.of().getClass(), CollectionSerializers.MapSerializer::new),
            new Entry(18, Map.of(1, 1).getClass(), CollectionSerializers.MapSerializer::new),
            new Entry(19, HashMap.class, CollectionSerializers.MapSerializer::new),
            new Entry(20, LinkedHashMap.class, CollectionSerializers.MapSerializer::new),
            new Entry(21, Object[].class, CollectionSerializers.ObjectArraySerializer::new),
            new Entry(22, byte[].class, CollectionSerializers.ByteArraySerializer::new),
            new Entry(23, Call.class, RpcSerializers.CallSerializer::new),
            new Entry(24, Reply.class, RpcSerializers.ReplySerializer::new),
            new Entry(25, Fault.class, null),
            new Entry(32, Register.class, null),
            new Entry(33, OnlineUsers.class, null),
            new Entry(34, StatusChange.class, null),
            new Entry(35, Goodbye.class, null),
            new Entry(36, Invite.class, null),
            new Entry(37, Invitation.class, null),
            new Entry(38, ListConversations.class, null),
            new Entry(39, Conversations.class, null),
            new Entry(40, Join.class, null),
            new Entry(41, SendMessage.class, null),
            new Entry(42, Message.class, null),
            new Entry(43, Leave.class, null),
            new Entry(44, Error.class, null),
            new Entry(45, OnlineUsersChanged.class, null),
            new Entry(46, GetHistory.class, null),
            new Entry(47, History.class, null));

    private CoreRegistrations() {
    }

    /** Parley's own classes by id. */
    public static Map<Integer, Class<?>> classes() {
        Map<Integer, Class<?>> classes = new HashMap<>();
        classes.put(1, String.class);
        ENTRIES.forEach(e -> classes.put(e.id(), e.type()));
        return classes;
    }

    /**
     * A Kryo that requires registration, reads class ids strictly, limits nesting to
     * {@code maxDepth}, keeps no references (messages are trees), and knows Parley's types.
     * Records are written by {@link RecordSerializer}, in Kryo's record format.
     */
    public static Kryo newKryo(int maxDepth) {
        Kryo kryo = new Kryo(new StrictClassResolver(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(maxDepth);
        kryo.addDefaultSerializer(Record.class, RecordSerializer.factory(maxDepth));
        kryo.register(String.class, new Utf8StringSerializer(), 1);
        for (Entry e : ENTRIES) {
            if (e.serializer() == null) {
                kryo.register(e.type(), e.id());
            } else {
                kryo.register(e.type(), e.serializer().get(), e.id());
            }
        }
        return kryo;
    }
}
