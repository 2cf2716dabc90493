package dev.parley.internal.rpc;

import dev.parley.rpc.RemoteTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PendingCallsTest {

    private final PendingCalls calls = new PendingCalls();

    @Test
    void timesOutAShortCallMadeAfterALongOneWithoutTouchingTheLongOne() throws Exception {
        var patient = calls.expect(calls.nextId(), "Test.patient", Duration.ofSeconds(60));
        long impatientId = calls.nextId();
        var impatient = calls.expect(impatientId, "Test.impatient", Duration.ofMillis(50));

        assertThatThrownBy(() -> impatient.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RemoteTimeoutException.class);
        assertThat(patient).isNotDone();
        assertThat(calls.outstanding()).isEqualTo(1);

        calls.answer(new Reply(1, "late but in time"));
        assertThat(patient.get(10, TimeUnit.SECONDS)).isEqualTo("late but in time");
    }

    /** Calls more than the ring holds, answered in a shuffled order: each gets its own answer. */
    @Test
    void answersEachOfMoreOutstandingCallsThanItsRingHoldsWithItsOwnValue() throws Exception {
        int count = 3 * PendingCalls.SLOTS;
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long id = calls.nextId();
            ids.add(id);
            futures.add(calls.expect(id, "Test.call", Duration.ofMinutes(1)));
        }
        assertThat(calls.outstanding()).isEqualTo(count);

        Collections.shuffle(ids, new Random(7));
        for (long id : ids) {
            calls.answer(new Reply(id, "answer " + id));
        }

        for (int i = 0; i < count; i++) {
            assertThat(futures.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("answer " + (i + 1));
        }
        assertThat(calls.outstanding()).isZero();
    }

    /**
     * Callers on several threads, a reader answering the odd calls they put, and a close racing
     * both: every call ends, answered or failed with the close's cause, and none is left waiting.
     * The even calls only a close can end, the ones put after it included.
     */
    @Test
    void endsEveryCallOnceWhenCallersTheReaderAndACloseRace() throws Exception {
        int callers = 4;
        int perCaller = 2 * PendingCalls.SLOTS;
        var toAnswer = new LinkedBlockingQueue<Long>();
        List<CompletableFuture<Object>> futures = new CopyOnWriteArrayList<>();
        var cause = new IOException("closed in this test");
        try (ExecutorService threads = Executors.newFixedThreadPool(callers + 1)) {
            var closeAfter = new CountDownLatch(callers * perCaller / 2);
            for (int c = 0; c < callers; c++) {
                threads.execute(() -> {
                    for (int i = 0; i < perCaller; i++) {
                        long id = calls.nextId();
                        futures.add(calls.expect(id, "Test.call", Duration.ofMinutes(1)));
                        toAnswer.add(id);
                        closeAfter.countDown();
                    }
                });
            }
            threads.execute(() -> {
                for (int i = 0; i < callers * perCaller; i++) {
                    try {
                        long id = toAnswer.take();
                        if (id % 2 == 1) {
                            calls.answer(new Reply(id, id));
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            assertThat(closeAfter.await(10, TimeUnit.SECONDS)).isTrue();
            calls.closeAll(cause);
        }

        assertThat(futures).hasSize(callers * perCaller).allSatisfy(future -> {
            assertThat(future).isDone();
            if (future.isCompletedExceptionally()) {
                assertThat(future.exceptionNow()).hasRootCause(cause);
            }
        });
        assertThat(calls.outstanding()).isZero();
    }

    @Test
    void timesOutEveryCallOfARunThatOutlivesItsDeadline() {
        for (int round = 0; round < 3; round++) {
            var call = calls.expect(calls.nextId(), "Test.call", Duration.ofMillis(20));

            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
                    .as("round %d", round)
                    .hasCauseInstanceOf(RemoteTimeoutException.class);
        }
        assertThat(calls.outstanding()).isZero();
    }
}
