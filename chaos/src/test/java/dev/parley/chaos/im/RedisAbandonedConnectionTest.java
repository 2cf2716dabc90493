package dev.parley.chaos.im;

import dev.parley.chaos.ChaosOptions;
import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.ChaosServer;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Ticker;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.RedisAddress;
import dev.parley.server.store.RedisFixture;
import dev.parley.server.store.RedisOptions;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An append refused because its connection to Redis was given up on, while the command itself is
 * held in the network (a partition that heals, as TCP retransmission carries a stream across one),
 * must never be stored after the appends that follow it: the next connection closes the abandoned
 * one at Redis before it sends anything. The proxy's time is gated, so the held command stays held
 * until the test lets it go.
 */
class RedisAbandonedConnectionTest {

    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Pattern CONNECTED_CLIENTS = Pattern.compile("connected_clients:(\\d+)");

    /** The system's clock, except that waits for a future time block until {@link #open}. */
    private static final class GatedTicker implements Ticker {
        private final CountDownLatch opened = new CountDownLatch(1);

        void open() {
            opened.countDown();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long deadline) throws InterruptedException {
            if (deadline - System.nanoTime() > 0) {
                opened.await();
                Ticker.SYSTEM.sleepUntil(deadline);
            }
        }
    }

    @Test
    void anAppendHeldOnAConnectionGivenUpOnIsNeverStoredAfterLaterOnes() throws Exception {
        var ticker = new GatedTicker();
        try (var chaos = ChaosServer.start(ChaosOptions.defaults().withTicker(ticker))) {
            ChaosProxy proxy = chaos.createProxy("redis", Protocol.TCP,
                    new InetSocketAddress("127.0.0.1", redis.process().port()));
            var options = RedisOptions.defaults().withConnections(1).withCommandTimeout(Duration.ofMillis(300))
                    .withReconnectDelays(Duration.ofMillis(10), Duration.ofMillis(100));
            var store = RedisStore.open(RedisAddress.of("127.0.0.1", proxy.listenAddress().getPort()), options,
                    StoreOptions.defaults());
            try {
                long conversation = store.create("alice", List.of());
                assertThat(append(store, conversation, 1, "a").sequence()).isEqualTo(1);
                int clients = redisClients();

                proxy.add(Toxic.of(ToxicType.PARTITION, Direction.UPSTREAM));
                proxy.add(Toxic.of(ToxicType.PARTITION, Direction.DOWNSTREAM));
                assertThatThrownBy(() -> append(store, conversation, 2, "b")).isInstanceOf(CompletionException.class)
                        .hasMessageContaining("store unavailable");
                proxy.remove("partition_upstream");
                proxy.remove("partition_downstream");

                assertThat(awaitAppend(store, conversation, 3, "c").sequence()).isEqualTo(2);
                assertThat(redisClients()).as("Redis clients once the next append is stored: the connection given "
                        + "up on, still holding 'b', was closed at Redis first").isEqualTo(clients);

                ticker.open();
                assertThat(append(store, conversation, 4, "d").sequence()).isEqualTo(3);
                var page = store.history(conversation, 1, ChatStore.Direction.NEWER, 10);
                assertThat(page.messages()).extracting(StoredMessage::text).containsExactly("a", "c", "d");
            } finally {
                store.close();
            }
        }
    }

    private static StoredMessage append(RedisStore store, long conversation, long clientId, String text) {
        return store.append(conversation, "alice", clientId, text).toCompletableFuture().join().message();
    }

    /** Appends once the store has reconnected: each try is refused quickly while its backoff runs. */
    private static StoredMessage awaitAppend(RedisStore store, long conversation, long clientId, String text) {
        StoredMessage[] stored = new StoredMessage[1];
        Eventually.await(() -> {
            try {
                stored[0] = append(store, conversation, clientId, text);
                return true;
            } catch (CompletionException refused) {
                return false;
            }
        }, PATIENCE, "the store reconnects and appends '" + text + "'");
        return stored[0];
    }

    /** How many clients Redis has (this question's own connection among them), asked directly, not through the proxy. */
    private static int redisClients() throws IOException {
        try (var socket = new Socket("127.0.0.1", redis.process().port())) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            socket.getOutputStream().write("INFO clients\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder header = new StringBuilder();
            // Bounded: a bulk reply's header is a short line, and the socket times out.
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("Redis closed the connection before answering INFO");
                }
                header.append((char) b);
            }
            int length = Integer.parseInt(header.toString().strip().substring(1));
            String info = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            Matcher matcher = CONNECTED_CLIENTS.matcher(info);
            assertThat(matcher.find()).as("INFO clients names connected_clients: %s", info).isTrue();
            return Integer.parseInt(matcher.group(1));
        }
    }
}
