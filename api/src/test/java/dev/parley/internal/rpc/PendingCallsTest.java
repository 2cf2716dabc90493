package dev.parley.internal.rpc;

import dev.parley.rpc.RemoteTimeoutException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
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
