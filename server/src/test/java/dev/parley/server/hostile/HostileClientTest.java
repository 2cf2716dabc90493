package dev.parley.server.hostile;

import dev.parley.codec.Codec;
import dev.parley.im.Error;
import dev.parley.im.ImException;
import dev.parley.im.Invitation;
import dev.parley.im.Invite;
import dev.parley.im.Join;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.im.SendMessage;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Broken and hostile clients against a real {@link ImServer} over TCP (and, for garbage datagrams,
 * UDP) on loopback: each attack comes from a raw socket writing bytes by hand, and after each one
 * legitimate {@link ScriptedClient}s still register, chat and leave.
 */
class HostileClientTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
    /**
     * How far the live heap may stay above the one measured when the server started, once an attack
     * is over: room for the classes and caches the first legitimate round warms up and for the
     * few connections a test keeps open (under 1 MiB measured), far below what a leaked attack would
     * hold: thirty leaked TCP connections' buffers alone would exceed it.
     */
    private static final long HEAP_SLACK_BYTES = 4L << 20;
    /** Full collections tried while waiting for closed connections to become garbage. */
    private static final int COLLECTIONS_TO_SETTLE = 20;

    private Transport transport;
    private ImServer server;
    private long heapBaseline;
    private int round;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @ParameterizedTest(name = "length prefix {0}")
    @ValueSource(ints = {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, TransportOptions.DEFAULT_MAX_FRAME_LENGTH + 1})
    void closesAConnectionWhoseLengthPrefixIsOverTheLimitBeforeReadingThePayload(int length) throws Exception {
        start(TransportOptions.defaults());
        var attacker = attacker();

        attacker.writeLengthPrefix(length);

        assertThat(attacker.awaitClosedByServer()).isEmpty();
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void closesAFrameThatNeverCompletesAtTheIdleTimeoutWhileOthersChatOn() throws Exception {
        assertClosedAtTheIdleTimeoutWhileOthersChatOn(attacker -> {
            attacker.writeLengthPrefix(100);
            attacker.writeRaw(new byte[10]);
        });
    }

    @Test
    void closesAClientTricklingOneByteAtATimeAtTheIdleTimeoutWhileOthersChatOn() throws Exception {
        assertClosedAtTheIdleTimeoutWhileOthersChatOn(
                attacker -> Thread.ofVirtual().start(() -> trickle(attacker, IDLE_TIMEOUT.dividedBy(10))));
    }

    @Test
    void holdsNoMoreThanTheBudgetWhenManyClientsStallInTheMiddleOfLongFramesWhileOthersChatOn() throws Exception {
        // 150 clients each send all but the last byte of a 1 MiB frame and stall: 150 MiB held
        // without a budget, more than this JVM's 256 MiB heap can spare beside everything else.
        int attackers = 150;
        var options = TransportOptions.defaults();
        start(options);
        var alice = online("alice");
        var bob = online("bob");
        byte[] allButTheLastByte = new byte[options.maxFrameLength() - 1];

        for (int i = 0; i < attackers; i++) {
            var attacker = attacker();
            try {
                attacker.writeLengthPrefix(options.maxFrameLength());
                attacker.writeRaw(allButTheLastByte);
            } catch (SocketException refusedAlready) {
                // Reset while writing: this frame found no room.
            }
        }

        // Only the frames that fit the budget are kept; every other attacker was cut off.
        int fit = (int) (options.maxUnfinishedFrameBytes() / options.maxFrameLength());
        awaitConnectionCount(2 + fit);
        chat(alice, bob);
        for (int i = opened.size() - 1; i >= 0; i--) {
            if (opened.get(i) instanceof RawClient attacker) {
                attacker.close();
            }
        }
        awaitConnectionCount(2);
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void refusesConnectionsPastTheCapQuicklyWhileOpenSessionsKeepWorking() throws Exception {
        int cap = 4;
        start(TransportOptions.defaults().toBuilder().maxConnections(cap).build());
        var alice = online("alice");
        var bob = online("bob");
        var holders = List.of(attacker(), attacker());
        holders.getFirst().writeMessage(new Register("holder", "online"));
        assertThat(holders.getFirst().readMessage()).isInstanceOf(OnlineUsers.class);

        long began = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertRefused();
        }

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
        chat(alice, bob);
        for (RawClient holder : holders) {
            holder.close();
        }
        awaitConnectionCount(2);
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void closesAConnectionThatNamesAClassOutsideTheRegistryByIdOrByName() throws Exception {
        start(TransportOptions.defaults());
        // Kryo's class tag is the id plus 2, as a varint: 1002 names id 1000, and 1 means "by name".
        byte[] unregisteredId = {(byte) 0xEA, 0x07};
        byte[] byName = concat(new byte[] {1}, "java.lang.ProcessBuilder".getBytes(StandardCharsets.US_ASCII));

        for (byte[] payload : List.of(unregisteredId, byName)) {
            var attacker = attacker();
            attacker.writeFrame(payload);
            assertThat(attacker.awaitClosedByServer()).isEmpty();
        }
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void closesAConnectionThatNestsDeeperThanTheCodecAllows() throws Exception {
        start(TransportOptions.defaults());
        Object nested = List.of("bottom");
        for (int depth = 0; depth < 200; depth++) {
            nested = List.of(nested);
        }
        var attacker = attacker();

        attacker.writeFrame(Codec.builder().maxDepth(1000).build().encode(nested));

        assertThat(attacker.awaitClosedByServer()).isEmpty();
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void closesAConnectionThatAnnouncesAHugeCollectionOrStringWithoutAllocatingIt() throws Exception {
        start(TransportOptions.defaults());
        byte[] hugeCount = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04};
        byte[] emptyInvite = Codec.defaults().encode(new Invite(List.of()));
        assertThat(emptyInvite[emptyInvite.length - 1]).as("an empty list ends with its count, 0").isZero();
        byte[] hugeInvite = concat(Arrays.copyOf(emptyInvite, emptyInvite.length - 1), hugeCount);
        byte[] emptyText = Codec.defaults().encode(new SendMessage(1, 0, ""));
        assertThat(emptyText[emptyText.length - 1]).as("an empty text ends with its length, 0").isZero();
        byte[] hugeText = concat(Arrays.copyOf(emptyText, emptyText.length - 1), hugeCount);

        for (byte[] payload : List.of(hugeInvite, hugeText)) {
            var attacker = attacker();
            attacker.writeMessage(new Register("counter" + payload.length, "online"));
            assertThat(attacker.readMessage()).isInstanceOf(OnlineUsers.class);
            attacker.writeFrame(payload);
            assertThat(attacker.awaitClosedByServer())
                    .allMatch(message -> message instanceof OnlineUsers || message instanceof OnlineUsersChanged);
        }
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void closesAConnectionThatSendsInvalidUtf8() throws Exception {
        start(TransportOptions.defaults());
        byte[] payload = Codec.defaults().encode(new Register("AB", "online"));
        int at = indexOf(payload, new byte[] {'A', 'B'});
        payload[at] = (byte) 0xC3;
        payload[at + 1] = 0x28;
        var attacker = attacker();

        attacker.writeFrame(payload);

        assertThat(attacker.awaitClosedByServer()).isEmpty();
        assertThat(server.onlineUsers()).isEmpty();
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void answersOversizedUsernamesAndTextsWithAShortErrorAndCarriesOn() throws Exception {
        start(TransportOptions.defaults());
        var impostor = connect("x".repeat(100_000));
        assertThatThrownBy(() -> impostor.register("online"))
                .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error().message())
                        .startsWith("invalid username 'xxxx").hasSizeLessThan(200));
        var alice = online("alice");
        var bob = online("bob");
        long id = converse(alice, bob);

        alice.client().send(id, "y".repeat(100_000));

        assertThat(alice.await(Error.class)).extracting(Error::message, Error::request)
                .containsExactly("message too long: 100000 characters (at most 4096)", "SendMessage");
        chat(alice, bob);
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void answersRequestsOutOfPlaceWithErrorsThatCarryNoStackTrace() throws Exception {
        start(TransportOptions.defaults());
        var attacker = attacker();

        attacker.writeMessage(new Join(7));
        attacker.writeMessage(new Message(1, 1, 0, "mallory", 0, "not mine to send"));
        attacker.writeMessage(new Register("mallory", "\u0000"));

        List<Object> answers = List.of(attacker.readMessage(), attacker.readMessage(), attacker.readMessage());
        assertThat(answers).containsExactly(
                new Error("register first", "Join"),
                new Error("not a request: Message", "Message"),
                new Error("invalid status: use 1 to 64 characters, no control characters", "Register"));
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    @Test
    void answersNoGarbageDatagramAndKeepsServingUdpClients() throws Exception {
        start(Transport.byName("udp"));
        var alice = online("alice");
        var bob = online("bob");
        var random = new Random(7);
        try (var attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 2000; i++) {
                byte[] junk = new byte[1 + random.nextInt(1500)];
                random.nextBytes(junk);
                attacker.send(new DatagramPacket(junk, junk.length, server.localAddress()));
            }

            chat(alice, bob);
            aLegitimateClientStillRegistersChatsAndLeaves();
            // The server read the garbage before the chat that followed it: any answer has arrived by now.
            attacker.setSoTimeout(1);
            assertThatThrownBy(() -> attacker.receive(new DatagramPacket(new byte[2048], 2048)))
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    /** What an attacker does to a connection of its own. */
    private interface Attack {
        void on(RawClient attacker) throws IOException;
    }

    private void assertClosedAtTheIdleTimeoutWhileOthersChatOn(Attack attack) throws Exception {
        start(TransportOptions.defaults().toBuilder()
                .idleTimeout(IDLE_TIMEOUT).keepAliveInterval(IDLE_TIMEOUT.dividedBy(4)).build());
        var alice = online("alice");
        var bob = online("bob");
        // Before connecting: the server's idle clock starts when it accepts, which may be before
        // the attacker's connect returns.
        long began = System.nanoTime();
        var attacker = attacker();

        attack.on(attacker);

        assertThat(attacker.awaitClosedByServer()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isBetween(IDLE_TIMEOUT, IDLE_TIMEOUT.multipliedBy(5));
        chat(alice, bob);
        aLegitimateClientStillRegistersChatsAndLeaves();
    }

    /** Writes one byte of a frame that would take minutes to finish, every {@code pace}, until the server closes. */
    private static void trickle(RawClient attacker, Duration pace) {
        try {
            attacker.writeLengthPrefix(1000);
            for (int i = 0; i < 1000; i++) {
                attacker.writeRaw((byte) i);
                LockSupport.parkNanos(pace.toNanos());
            }
        } catch (IOException closedByTheServer) {
            // The outcome the test awaits; it checks it on its own end of the socket.
        }
    }

    /** Connects and expects the server to reset the connection at once, maybe before connect returns. */
    private void assertRefused() throws IOException {
        RawClient refused;
        try {
            refused = attacker();
        } catch (SocketException reset) {
            return;
        }
        assertThat(refused.awaitClosedByServer()).isEmpty();
    }

    /** Waits until only {@code count} connections remain, their slots under the cap given back. */
    private void awaitConnectionCount(int count) {
        long deadline = System.nanoTime() + RawClient.TIMEOUT.toNanos();
        while (server.connectionCount() != count) {
            assertThat(System.nanoTime()).as("connections down to %d within %s", count, RawClient.TIMEOUT)
                    .isLessThan(deadline);
            Thread.yield();
        }
    }

    private void aLegitimateClientStillRegistersChatsAndLeaves() throws Exception {
        round++;
        try (var carol = ScriptedClient.connect(transport, server.localAddress(), "carol" + round);
             var dave = ScriptedClient.connect(transport, server.localAddress(), "dave" + round)) {
            carol.register("online");
            dave.register("online");
            chat(carol, dave);
            carol.client().goodbye();
            dave.awaitOnline(online -> !online.containsKey(carol.username()));
            dave.client().goodbye();
            dave.awaitDisconnect();
            assertThat(server.onlineUsers()).doesNotContainKeys(carol.username(), dave.username());
        }
        assertHeapBackToBaseline();
    }

    /** After an attack the server holds on to nothing it allocated for it. */
    private void assertHeapBackToBaseline() {
        long live = liveHeap();
        for (int i = 1; i < COLLECTIONS_TO_SETTLE && live > heapBaseline + HEAP_SLACK_BYTES; i++) {
            live = liveHeap();
        }
        assertThat(live).as("live heap after the attack, baseline %d", heapBaseline)
                .isLessThanOrEqualTo(heapBaseline + HEAP_SLACK_BYTES);
    }

    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** {@code from} and {@code to} talk in a conversation of their own; returns when {@code to} has heard. */
    private void chat(ScriptedClient from, ScriptedClient to) throws IOException {
        long id = converse(from, to);
        from.client().send(id, "still here?");
        to.await(Message.class, message -> message.conversationId() == id && message.text().equals("still here?"));
    }

    private static long converse(ScriptedClient inviter, ScriptedClient invitee) throws IOException {
        inviter.client().invite(invitee.username());
        long id = invitee.await(Invitation.class).conversationId();
        invitee.client().join(id);
        invitee.sync();
        return id;
    }

    private void start(TransportOptions options) throws IOException {
        start(Transport.byName("tcp", options));
    }

    private void start(Transport transport) throws IOException {
        this.transport = transport;
        server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build());
        opened.add(server);
        heapBaseline = liveHeap();
    }

    private RawClient attacker() throws IOException {
        var attacker = RawClient.connect(server.localAddress());
        opened.add(attacker);
        return attacker;
    }

    private ScriptedClient connect(String username) throws IOException {
        var client = ScriptedClient.connect(transport, server.localAddress(), username);
        opened.add(client);
        return client;
    }

    private ScriptedClient online(String username) throws Exception {
        var client = connect(username);
        assertThat(client.register("online")).containsKey(username);
        return client;
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found: " + Arrays.toString(needle));
    }
}
