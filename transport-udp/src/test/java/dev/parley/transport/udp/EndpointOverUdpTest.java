package dev.parley.transport.udp;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.im.Message;
import dev.parley.im.SendMessage;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What is built on the transport SPI (typed messages, remote calls) runs unchanged over UDP, here
 * with the 1200-byte packets of a real path.
 */
@Timeout(60)
class EndpointOverUdpTest {

    /** Served over UDP in this test. */
    public interface Squares {
        CompletableFuture<Long> square(long x);
    }

    private final Transport udp = UdpTransport.create(TransportOptions.defaults(),
            UdpOptions.defaults().toBuilder().loopbackPacketSize(0).build());
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    @Test
    void deliversTypedMessagesInOrderBothWays() throws Exception {
        Server server = Endpoint.builder(Codec.defaults())
                .on(SendMessage.class, (peer, m) -> peer.send(new Message(m.conversationId(), 1, 0, "echo", 0, m.text())))
                .build()
                .listen(udp, new InetSocketAddress("127.0.0.1", 0));
        resources.add(server);
        BlockingQueue<Message> received = new LinkedBlockingQueue<>();
        Peer client = Endpoint.builder(Codec.defaults())
                .on(Message.class, (peer, m) -> received.add(m))
                .build()
                .connect(udp, server.localAddress());
        resources.add(client::close);

        for (int i = 0; i < 1_000; i++) {
            client.send(new SendMessage(7, 0, "message " + i));
        }

        for (int i = 0; i < 1_000; i++) {
            Message m = received.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("message %d", i).isEqualTo(new Message(7, 1, 0, "echo", 0, "message " + i));
        }
    }

    @Test
    void completesThousandsOfOutstandingRemoteCalls() throws Exception {
        Server server = Endpoint.builder(Codec.defaults())
                .serve(Squares.class, x -> CompletableFuture.completedFuture(x * x))
                .build()
                .listen(udp, new InetSocketAddress("127.0.0.1", 0));
        resources.add(server);
        Peer client = Endpoint.builder(Codec.defaults()).build().connect(udp, server.localAddress());
        resources.add(client::close);
        Squares squares = client.remote(Squares.class);

        List<CompletableFuture<Long>> results = new ArrayList<>();
        for (long i = 0; i < 5_000; i++) {
            results.add(squares.square(i));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).join()).isEqualTo((long) i * i);
        }
        assertThat(client.outstandingCalls()).isZero();
    }
}
