package dev.parley.rpc;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.im.Join;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RemoteCallTest {

    public interface Calculator {
        int add(int a, int b);

        CompletableFuture<Long> square(long x);

        String fail(String message);

        CompletableFuture<String> failLater(String message);

        void waitFor(String gate);

        @OneWay
        void record(String note);

        default int addTwice(int a, int b) {
            return add(add(a, b), add(a, b) - add(a, b));
        }
    }

    public interface NotServed {
        int anything();
    }

    public interface Greeter {
        String hello(String name);

        int length(String name);
    }

    public interface Doubler {
        int twice(int n);
    }

    private final Transport memory = Transport.byName("memory");
    private final BlockingQueue<String> notes = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> callThreads = new LinkedBlockingQueue<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch waiting = new CountDownLatch(1);
    private Server server;
    private Peer client;

    @BeforeEach
    void start() throws Exception {
        Calculator calculator = new Calculator() {
            @Override
            public int add(int a, int b) {
                callThreads.add(Thread.currentThread().getName());
                return a + b;
            }

            @Override
            public CompletableFuture<Long> square(long x) {
                callThreads.add(Thread.currentThread().getName());
                return CompletableFuture.completedFuture(x * x);
            }

            @Override
            public String fail(String message) {
                throw new IllegalStateException(message);
            }

            @Override
            public CompletableFuture<String> failLater(String message) {
                return CompletableFuture.failedFuture(new ArithmeticException(message));
            }

            @Override
            public void waitFor(String name) {
                waiting.countDown();
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void record(String note) {
                notes.add(note);
            }
        };
        server = Endpoint.builder(Codec.defaults()).serve(Calculator.class, calculator).build()
                .listen(memory, new InetSocketAddress("127.0.0.1", 0));
        client = Endpoint.builder(Codec.defaults()).build().connect(memory, server.localAddress());
    }

    @AfterEach
    void stop() {
        gate.countDown();
        server.close();
    }

    @Test
    void returnsTheValueOfABlockingCall() {
        assertThat(client.remote(Calculator.class).add(2, 3)).isEqualTo(5);
    }

    @Test
    void completesTheFutureOfAnAsyncCall() throws Exception {
        assertThat(client.remote(Calculator.class).square(12).get(5, TimeUnit.SECONDS)).isEqualTo(144L);
    }

    @Test
    void runsAnAsyncMethodOnTheDeliveryThreadAndABlockingOneOnAThreadOfItsOwn() throws Exception {
        client.remote(Calculator.class).square(3).get(5, TimeUnit.SECONDS);
        client.remote(Calculator.class).add(1, 2);

        assertThat(callThreads.poll(5, TimeUnit.SECONDS)).doesNotStartWith("parley-call-");
        assertThat(callThreads.poll(5, TimeUnit.SECONDS)).startsWith("parley-call-");
    }

    @Test
    void runsDefaultMethodsLocallyThroughRemoteCalls() {
        assertThat(client.remote(Calculator.class).addTwice(2, 3)).isEqualTo(5);
    }

    @Test
    void reportsARemoteExceptionAsAFaultWithTypeAndMessage() {
        assertThatThrownBy(() -> client.remote(Calculator.class).fail("no such thing"))
                .isInstanceOfSatisfying(RemoteFaultException.class, e -> {
                    assertThat(e.fault().type()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(e.fault().message()).isEqualTo("no such thing");
                })
                .hasMessageContaining("Calculator.fail");
    }

    @Test
    void failsTheFutureWhenAnAsyncMethodFails() {
        CompletableFuture<String> result = client.remote(Calculator.class).failLater("division by zero");

        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(RemoteFaultException.class,
                        e -> assertThat(e.fault().type()).isEqualTo(ArithmeticException.class.getName()));
    }

    @Test
    void failsACallWhoseDeadlinePasses() {
        Calculator impatient = client.remote(Calculator.class, Duration.ofMillis(100));

        assertThatThrownBy(() -> impatient.waitFor("never"))
                .isInstanceOf(RemoteTimeoutException.class)
                .hasMessageContaining("Calculator.waitFor")
                .hasMessageContaining("100 ms");
        assertThat(client.outstandingCalls()).isZero();
    }

    @Test
    void keepsThousandsOfCallsOutstandingOnOneConnection() throws Exception {
        Calculator calculator = client.remote(Calculator.class);
        List<CompletableFuture<Long>> results = new ArrayList<>();
        for (long i = 0; i < 5_000; i++) {
            results.add(calculator.square(i));
        }

        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).join()).isEqualTo((long) i * i);
        }
        assertThat(client.outstandingCalls()).isZero();
    }

    @Test
    void deliversOneWayCallsWithoutWaiting() throws Exception {
        client.remote(Calculator.class).record("noted");

        assertThat(notes.poll(5, TimeUnit.SECONDS)).isEqualTo("noted");
        assertThat(client.outstandingCalls()).isZero();
    }

    @Test
    void failsOutstandingCallsWhenTheConnectionCloses() throws Exception {
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> client.remote(Calculator.class).waitFor("x"));
        // The call is in flight once the server runs it; closing now must fail it, not leave it hanging.
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();

        client.close();

        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(RemoteException.class)
                .hasCauseInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void reportsAMethodThePeerDoesNotServe() {
        assertThatThrownBy(() -> client.remote(NotServed.class).anything())
                .isInstanceOfSatisfying(RemoteFaultException.class,
                        e -> assertThat(e.fault().type()).isEqualTo(UnsupportedOperationException.class.getName()));
    }

    @Test
    void refusesABlockingCallFromTheConnectionsOwnDeliveryThread() throws Exception {
        assertBlockingCallRefused((builder, call) -> builder.on(Join.class, (peer, join) -> call.accept(peer)));
    }

    @Test
    void refusesABlockingCallFromOnOpenWhichRunsOnTheDeliveryThreadToo() throws Exception {
        assertBlockingCallRefused(Endpoint.Builder::onOpen);
    }

    /**
     * Has a server make a blocking remote call to its peer from the place {@code hook} puts it
     * (a callback on the connection's delivery thread), then a client connect and send a
     * {@code Join}: the call must fail at once rather than wait for a reply that thread would read.
     */
    private void assertBlockingCallRefused(BiConsumer<Endpoint.Builder, Consumer<Peer>> hook) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Endpoint.Builder builder = Endpoint.builder(Codec.defaults());
        hook.accept(builder, peer -> {
            try {
                peer.remote(Calculator.class).add(1, 1);
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        Server callingBack = builder.build().listen(memory, new InetSocketAddress("127.0.0.1", 0));
        try {
            Endpoint.builder(Codec.defaults()).build().connect(memory, callingBack.localAddress()).send(new Join(1));

            assertThat(outcome.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("would wait forever");
        } finally {
            callingBack.close();
        }
    }

    @Test
    void refusesAOneWayMethodThatReturnsAValue() {
        interface Bad {
            @OneWay
            int value();
        }

        assertThatThrownBy(() -> client.remote(Bad.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must return void");
    }

    @Test
    void servesEveryMethodOfEachInterfaceItIsGiven() throws Exception {
        Greeter greeter = new Greeter() {
            @Override
            public String hello(String name) {
                return "hello " + name;
            }

            @Override
            public int length(String name) {
                return name.length();
            }
        };
        Doubler doubler = n -> 2 * n;
        Server both = Endpoint.builder(Codec.defaults())
                .serve(Greeter.class, greeter)
                .serve(Doubler.class, doubler)
                .build()
                .listen(memory, new InetSocketAddress("127.0.0.1", 0));
        try {
            Peer peer = Endpoint.builder(Codec.defaults()).build().connect(memory, both.localAddress());

            assertThat(peer.remote(Greeter.class).hello("ann")).isEqualTo("hello ann");
            assertThat(peer.remote(Greeter.class).length("ann")).isEqualTo(3);
            assertThat(peer.remote(Doubler.class).twice(21)).isEqualTo(42);
        } finally {
            both.close();
        }
    }

    @Test
    void refusesAnInterfaceServedTwice() {
        Doubler doubler = n -> 2 * n;
        var builder = Endpoint.builder(Codec.defaults()).serve(Doubler.class, doubler);

        assertThatThrownBy(() -> builder.serve(Doubler.class, doubler))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Doubler.twice or is served twice");
    }
}
