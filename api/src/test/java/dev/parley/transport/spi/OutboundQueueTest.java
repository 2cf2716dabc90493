package dev.parley.transport.spi;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.parley.transport.TransportConformanceTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class OutboundQueueTest {

    private static final long LIMIT = 100;

    private final OutboundQueue queue = new OutboundQueue(LIMIT,
            () -> new ConnectionClosedException(Reason.CLOSED_LOCALLY, "closed"));

    @Test
    void admitsAFrameLargerThanTheLimitAloneAndRefusesWhatDoesNotFitBehindIt() throws Exception {
        assertThat(queue.offer(new byte[500])).isTrue();
        assertThat(queue.offer(new byte[1])).isFalse();
        assertThat(queue.queuedBytes()).isEqualTo(500);

        List<byte[]> out = new ArrayList<>();
        assertThat(queue.drainTo(out, 1_000, 0, TimeUnit.NANOSECONDS)).isEqualTo(500);
        assertThat(queue.offer(new byte[60])).isTrue();
        assertThat(queue.offer(new byte[40])).isTrue();
        assertThat(queue.offer(new byte[1])).isFalse();
    }

    @Test
    void drainsInOrderUpToTheBatchSizeButAlwaysAtLeastOneFrame() throws Exception {
        queue.offer(frame(1, 30));
        queue.offer(frame(2, 30));
        queue.offer(frame(3, 30));
        List<byte[]> out = new ArrayList<>();

        assertThat(queue.drainTo(out, 10, 0, TimeUnit.NANOSECONDS)).isEqualTo(30);
        assertThat(queue.drainTo(out, 60, 0, TimeUnit.NANOSECONDS)).isEqualTo(60);
        assertThat(out).extracting(OutboundQueueTest::number).containsExactly(1, 2, 3);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.drainTo(out, 60, 0, TimeUnit.NANOSECONDS)).isZero();
    }

    @Test
    void anEmptyFrameCountsAsWaiting() throws Exception {
        queue.offer(new byte[0]);

        assertThat(queue.isEmpty()).isFalse();
        assertThat(queue.isEmptyAndOpen()).isFalse();
        List<byte[]> out = new ArrayList<>();
        assertThat(queue.drainTo(out, 10, 0, TimeUnit.NANOSECONDS)).isZero();
        assertThat(out).hasSize(1);
        assertThat(queue.isEmptyAndOpen()).isTrue();
    }

    @Test
    void afterCloseNothingIsAdmittedButWhatWasQueuedIsDrainedThenTheEndIsSaid() throws Exception {
        queue.offer(frame(1, 10));
        queue.close();

        assertThatThrownBy(() -> queue.offer(frame(2, 10))).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> queue.put(frame(3, 10))).isInstanceOf(ConnectionClosedException.class);
        assertThat(queue.isEmptyAndOpen()).isFalse();
        List<byte[]> out = new ArrayList<>();
        assertThat(queue.drainTo(out, 100, 0, TimeUnit.NANOSECONDS)).isEqualTo(10);
        assertThat(queue.drainTo(out, 100, 1, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(out).extracting(OutboundQueueTest::number).containsExactly(1);
    }

    @Test
    void clearDiscardsWhatWaits() throws Exception {
        queue.offer(frame(1, 10));
        queue.clear();

        assertThat(queue.queuedBytes()).isZero();
        assertThat(queue.drainTo(new ArrayList<>(), 100, 0, TimeUnit.NANOSECONDS)).isEqualTo(-1);
        assertThatThrownBy(() -> queue.offer(frame(2, 10))).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void aWaitingWriterWakesForAFrameForWakeWriterAfterAQuietOneAndForAClose() throws Exception {
        var first = drainingInBackground();
        awaitTrue("the writer to wait", () -> first.waiting());
        queue.offer(frame(1, 10));
        assertThat(first.result.get(10, TimeUnit.SECONDS)).isEqualTo(10);

        var second = drainingInBackground();
        awaitTrue("the writer to wait", () -> second.waiting());
        assertThat(queue.offerQuietly(frame(2, 10))).isTrue();
        queue.wakeWriter();
        assertThat(second.result.get(10, TimeUnit.SECONDS)).isEqualTo(10);

        var third = drainingInBackground();
        awaitTrue("the writer to wait", () -> third.waiting());
        queue.close();
        assertThat(third.result.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void aSenderWaitsForRoomUntilADrainMakesIt() throws Exception {
        queue.offer(frame(1, 100));
        var sent = new CompletableFuture<Void>();
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                queue.put(frame(2, 50));
                sent.complete(null);
            } catch (Exception e) {
                sent.completeExceptionally(e);
            }
        });
        awaitTrue("the sender to wait for room", () -> sender.getState() == Thread.State.WAITING);
        assertThat(sent).isNotDone();

        List<byte[]> out = new ArrayList<>();
        queue.drainTo(out, 1_000, 0, TimeUnit.NANOSECONDS);
        sent.get(10, TimeUnit.SECONDS);
        queue.drainTo(out, 1_000, 0, TimeUnit.NANOSECONDS);
        assertThat(out).extracting(OutboundQueueTest::number).containsExactly(1, 2);
    }

    @Test
    void aSenderWaitingForRoomIsToldOfACloseAndOfAnInterrupt() throws Exception {
        queue.offer(frame(1, 100));
        var closed = waitingForRoom();
        var interrupted = waitingForRoom();
        awaitTrue("both senders to wait for room", () -> closed.thread.getState() == Thread.State.WAITING
                && interrupted.thread.getState() == Thread.State.WAITING);

        interrupted.thread.interrupt();
        assertThat(interrupted.failure.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        assertThat(interrupted.stillInterrupted).isTrue();
        queue.close();
        assertThat(closed.failure.get(10, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
    }

    /**
     * Senders race each other, a small limit and a close: every frame whose put returned is
     * drained, in its sender's order, and the writer is told the end only after the last of them.
     */
    @Test
    void everyFrameAdmittedBeforeARacingCloseIsDrainedInEachSendersOrder() throws Exception {
        int senders = 4;
        int rounds = 200;
        for (int round = 0; round < rounds; round++) {
            var racing = new OutboundQueue(64, () -> new ConnectionClosedException(Reason.CLOSED_LOCALLY, "closed"));
            var admitted = new AtomicLong[senders];
            var start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                admitted[s] = new AtomicLong();
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int n = 0; n < 10_000; n++) {
                            racing.put(senderFrame(sender, n));
                            admitted[sender].set(n + 1);
                        }
                    } catch (ConnectionClosedException e) {
                        // the close came: what was admitted before it must arrive
                    } catch (InterruptedException | InterruptedIOException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            var closer = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int spin = 0; spin < 2_000; spin++) {
                        Thread.onSpinWait();
                    }
                    racing.close();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            long[] received = new long[senders];
            List<byte[]> out = new ArrayList<>();
            start.countDown();
            while (racing.drainTo(out, 48, 10, TimeUnit.SECONDS) >= 0) {
                for (byte[] frame : out) {
                    var in = ByteBuffer.wrap(frame);
                    int sender = in.getInt();
                    assertThat(in.getInt()).as("frame of sender %d", sender).isEqualTo(received[sender]);
                    received[sender]++;
                }
                out.clear();
            }
            closer.join();
            for (Thread thread : threads) {
                thread.join();
            }
            for (int s = 0; s < senders; s++) {
                assertThat(received[s]).as("frames of sender %d in round %d", s, round).isEqualTo(admitted[s].get());
            }
            assertThat(racing.queuedBytes()).isZero();
        }
    }

    private record Draining(Thread thread, CompletableFuture<Long> result) {
        boolean waiting() {
            return thread.getState() == Thread.State.TIMED_WAITING;
        }
    }

    private Draining drainingInBackground() {
        var result = new CompletableFuture<Long>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                result.complete(queue.drainTo(new ArrayList<>(), 1_000, 10, TimeUnit.SECONDS));
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return new Draining(thread, result);
    }

    private static final class WaitingForRoom {
        final CompletableFuture<Exception> failure = new CompletableFuture<>();
        volatile boolean stillInterrupted;
        Thread thread;
    }

    private WaitingForRoom waitingForRoom() {
        var waiting = new WaitingForRoom();
        waiting.thread = Thread.ofPlatform().start(() -> {
            try {
                queue.put(frame(9, 50));
                waiting.failure.complete(null);
            } catch (Exception e) {
                waiting.stillInterrupted = Thread.currentThread().isInterrupted();
                waiting.failure.complete(e);
            }
        });
        return waiting;
    }

    /** A frame of {@code length} bytes whose first byte is {@code number}. */
    private static byte[] frame(int number, int length) {
        byte[] frame = new byte[length];
        frame[0] = (byte) number;
        return frame;
    }

    private static int number(byte[] frame) {
        return frame[0];
    }

    /** A frame of 8 to 40 bytes: the sender, then its sequence number. */
    private static byte[] senderFrame(int sender, int n) {
        return ByteBuffer.allocate(8 + n % 33).putInt(sender).putInt(n).array();
    }
}
