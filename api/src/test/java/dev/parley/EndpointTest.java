package dev.parley;

import dev.parley.codec.Codec;
import dev.parley.im.Error;
import dev.parley.im.ImRequest;
import dev.parley.im.Join;
import dev.parley.im.Leave;
import dev.parley.im.Message;
import dev.parley.im.StatusChange;
import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointTest {

    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

    private final Transport memory = Transport.byName("memory");
    private final Codec codec = Codec.defaults();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private Server listen(Endpoint endpoint) throws Exception {
        Server server = endpoint.listen(memory, ANY);
        closeables.add(server);
        return server;
    }

    private static <T> T poll(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(5, TimeUnit.SECONDS);
        assertThat(item).as("nothing arrived within 5 s").isNotNull();
        return item;
    }

    @Test
    void dispatchesByExactTypeBeforeSupertype() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Server server = listen(Endpoint.builder(codec)
                .on(Join.class, (peer, join) -> seen.add("join " + join.conversationId()))
                .on(ImRequest.class, (peer, request) -> seen.add("request " + request.getClass().getSimpleName()))
                .build());
        Peer client = Endpoint.builder(codec).build().connect(memory, server.localAddress());

        client.send(new Join(4));
        client.send(new Leave(4));

        assertThat(poll(seen)).isEqualTo("join 4");
        assertThat(poll(seen)).isEqualTo("request Leave");
    }

    @Test
    void handsUnhandledMessagesToTheFallback() throws Exception {
        BlockingQueue<Object> unhandled = new LinkedBlockingQueue<>();
        Server server = listen(Endpoint.builder(codec).onUnhandled((peer, m) -> unhandled.add(m)).build());
        Peer client = Endpoint.builder(codec).build().connect(memory, server.localAddress());

        client.send(new StatusChange("away"));

        assertThat(poll(unhandled)).isEqualTo(new StatusChange("away"));
    }

    @Test
    void keepsThePeerConnectedWhenAHandlerThrows() throws Exception {
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        Server server = listen(Endpoint.builder(codec)
                .on(Join.class, (peer, join) -> {
                    throw new IllegalStateException("handler bug");
                })
                .on(Leave.class, (peer, leave) -> seen.add(leave))
                .build());
        Peer client = Endpoint.builder(codec).build().connect(memory, server.localAddress());

        client.send(new Join(1));
        client.send(new Leave(1));

        assertThat(poll(seen)).isEqualTo(new Leave(1));
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void broadcastEncodesOnceAndDeliversTheSameBytesToEveryPeer() throws Exception {
        CountDownLatch opened = new CountDownLatch(5);
        Server server = listen(Endpoint.builder(codec).onOpen(peer -> opened.countDown()).build());
        BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        for (int i = 0; i < 5; i++) {
            memory.connect(server.localAddress(), (connection, frame) -> frames.add(frame));
        }
        assertThat(opened.await(5, TimeUnit.SECONDS)).isTrue();

        int queued = server.broadcast(new Message(1, 1, 0, "alice", 0, "to all"));

        assertThat(queued).isEqualTo(5);
        List<byte[]> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            received.add(poll(frames));
        }
        // The in-memory transport hands over the array itself: one instance means one encoding.
        assertThat(received).allSatisfy(frame -> assertThat(frame).isSameAs(received.get(0)));
        assertThat(codec.decode(received.get(0))).isEqualTo(new Message(1, 1, 0, "alice", 0, "to all"));
    }

    @Test
    void broadcastAbortsASlowConsumerInsteadOfSkippingItsMessages() throws Exception {
        Transport small = Transport.byName("memory", TransportOptions.defaults().toBuilder().maxQueuedBytes(1024).build());
        CompletableFuture<Peer> opened = new CompletableFuture<>();
        Server server = Endpoint.builder(codec).onOpen(opened::complete).build().listen(small, ANY);
        closeables.add(server);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<ConnectionClosedException> slowClosed = new CompletableFuture<>();
        small.connect(server.localAddress(), new ConnectionHandler() {
            @Override
            public void onFrame(Connection connection, byte[] frame) {
                await(release);
            }

            @Override
            public void onClose(Connection connection, ConnectionClosedException cause) {
                slowClosed.complete(cause);
            }
        });
        Peer slowPeer = opened.get(5, TimeUnit.SECONDS);

        for (int i = 0; i < 1_000 && slowPeer.isOpen(); i++) {
            server.broadcast(new Message(1, 1, 0, "alice", 0, "message " + i));
        }
        release.countDown();

        assertThat(slowPeer.closeFuture().get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reason.SLOW_CONSUMER);
        assertThat(slowClosed.get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reason.RESET_BY_PEER);
    }

    @Test
    void closesOnlyThePeerThatSendsAnUndecodableFrame() throws Exception {
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        BlockingQueue<ConnectionClosedException> serverSideCloses = new LinkedBlockingQueue<>();
        Server server = listen(Endpoint.builder(codec)
                .on(Message.class, (peer, m) -> seen.add(m))
                .onClose((peer, cause) -> serverSideCloses.add(cause))
                .build());
        Connection garbage = memory.connect(server.localAddress(), (c, f) -> { });
        Peer good = Endpoint.builder(codec).build().connect(memory, server.localAddress());

        garbage.send(new byte[]{(byte) 0xFF, (byte) 0xFF, 0x7F});
        good.send(new Message(1, 1, 0, "bob", 0, "still here"));

        assertThat(poll(serverSideCloses).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(garbage.closeFuture().get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reason.RESET_BY_PEER);
        assertThat(poll(seen)).isEqualTo(new Message(1, 1, 0, "bob", 0, "still here"));
        assertThat(good.isOpen()).isTrue();
    }

    @Test
    void tellsBothSidesWhenAPeerCloses() throws Exception {
        BlockingQueue<ConnectionClosedException> serverSide = new LinkedBlockingQueue<>();
        Server server = listen(Endpoint.builder(codec).onClose((peer, cause) -> serverSide.add(cause)).build());
        CompletableFuture<ConnectionClosedException> clientSide = new CompletableFuture<>();
        Peer client = Endpoint.builder(codec).onClose((peer, cause) -> clientSide.complete(cause)).build()
                .connect(memory, server.localAddress());

        client.send(new Error("bye", ""));
        client.close();

        assertThat(poll(serverSide).reason()).isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(clientSide.get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reason.CLOSED_LOCALLY);
        assertThat(server.peers()).isEmpty();
    }

    @Test
    void returnsThePeerEvenWhenTheServerClosesItAtOnce() throws Exception {
        Server server = listen(Endpoint.builder(codec).onOpen(Peer::close).build());
        CompletableFuture<ConnectionClosedException> closed = new CompletableFuture<>();

        Peer peer = Endpoint.builder(codec).onClose((p, cause) -> closed.complete(cause)).build()
                .connect(memory, server.localAddress());

        assertThat(peer).isNotNull();
        assertThat(closed.get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(peer.closeFuture().get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reason.CLOSED_BY_PEER);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
