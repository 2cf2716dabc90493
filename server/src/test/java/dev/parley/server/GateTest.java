package dev.parley.server;

import dev.parley.im.Error;
import dev.parley.im.OnlineUsers;
import dev.parley.im.Register;
import dev.parley.im.StatusChange;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.StoreOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate driven by hand: a clock that moves when told, password "threads" and a timer whose
 * tasks run when the test runs them, in front of a chat core over a {@link MemoryStore}.
 */
class GateTest {

    private static final long SECOND = 1_000_000_000L;

    private final ChatStore store = MemoryStore.create(StoreOptions.defaults());
    private final RecordingClients clients = new RecordingClients();
    private final List<Runnable> passwordTasks = new ArrayList<>();
    private final List<Duration> delays = new ArrayList<>();
    private final List<Runnable> delayedTasks = new ArrayList<>();
    private final Tally tally = new Tally();
    private long now;

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Gate gate(ServerOptions options, BiPredicate<String, String> passwordCheck) throws IOException {
        var lock = new ReentrantLock();
        Scheduler scheduler = (task, delay) -> {
            delays.add(delay);
            delayedTasks.add(task);
        };
        var presence = new PresenceBatcher(Duration.ZERO, lock, scheduler, clients);
        var core = new ChatCore(options, store, null, clients, presence, (sender, send, appended) -> { }, () -> now);
        return new Gate(options, () -> now, lock, clients, scheduler, core, passwordCheck, passwordTasks::add, tally);
    }

    @Test
    void slowsDownAClientOverItsBudgetThenSendsItAway() throws Exception {
        Gate gate = gate(ServerOptions.builder().messagesPerSecond(1).messageBurst(1).maxRefusedInARow(2).build(),
                null);
        Session flooder = connect(gate);
        var request = new StatusChange("busy");

        assertThat(gate.withinRate(flooder, request)).isTrue();
        assertThat(gate.withinRate(flooder, request)).isFalse();
        assertThat(clients.isClosed(flooder)).isFalse();
        assertThat(gate.withinRate(flooder, request)).isFalse();

        assertThat(clients.take(flooder)).extracting(event -> ((Error) event).message()).containsExactly(
                "slow down: at most 1 requests a second, 1 at once",
                "too many requests over the rate limit: closing the connection");
        assertThat(clients.isClosed(flooder)).isTrue();
        assertThat(tally.refusals()).containsEntry("rate-limited", 2L);
    }

    @Test
    void refillsTheBudgetAsTheClockMoves() throws Exception {
        Gate gate = gate(ServerOptions.builder().messagesPerSecond(1).messageBurst(1).build(), null);
        Session client = connect(gate);
        var request = new StatusChange("busy");
        gate.withinRate(client, request);

        now += SECOND;

        assertThat(gate.withinRate(client, request)).isTrue();
        assertThat(clients.take(client)).isEmpty();
    }

    @Test
    void refusesARegisterAtOnceAsBusyWhileEveryPasswordCheckIsTaken() throws Exception {
        Gate gate = gate(ServerOptions.builder().maxConcurrentPasswordChecks(1).build(), (user, password) -> true);
        Session alice = connect(gate);
        Session bob = connect(gate);

        gate.logIn(alice, new Register("alice", "here", "right"));
        gate.logIn(bob, new Register("bob", "here", "right"));

        assertThat(clients.take(bob)).containsExactly(
                new Error("busy checking other passwords: try again in a moment", "Register"));
        assertThat(tally.refusals()).containsEntry("busy", 1L);
        assertThat(passwordTasks).hasSize(1);

        passwordTasks.removeFirst().run();
        assertThat(clients.take(alice)).first().isInstanceOf(OnlineUsers.class);
        gate.logIn(bob, new Register("bob", "here", "right"));
        assertThat(clients.take(bob)).as("a password check is free again").isEmpty();
        assertThat(passwordTasks).hasSize(1);
    }

    @Test
    void answersAWrongPasswordOnlyAfterTheFailedLoginDelay() throws Exception {
        Duration delay = Duration.ofSeconds(2);
        Gate gate = gate(ServerOptions.builder().failedLoginDelay(delay).build(), (user, password) -> false);
        Session mallory = connect(gate);
        gate.logIn(mallory, new Register("alice", "here", "guess"));

        passwordTasks.removeFirst().run();

        assertThat(clients.take(mallory)).isEmpty();
        assertThat(delays).containsExactly(delay);
        delayedTasks.removeFirst().run();
        assertThat(clients.take(mallory)).containsExactly(new Error(ImServer.WRONG_CREDENTIALS, "Register"));
        assertThat(tally.refusals()).containsEntry("wrong-credentials", 1L);
    }

    @Test
    void sendsNoRefusalToAClientThatLeftMeanwhile() throws Exception {
        Gate gate = gate(ServerOptions.defaults(), (user, password) -> false);
        Session gone = connect(gate);
        gate.logIn(gone, new Register("alice", "here", "guess"));
        passwordTasks.removeFirst().run();

        gone.closed = true;
        delayedTasks.removeFirst().run();

        assertThat(clients.take(gone)).isEmpty();
    }

    private Session connect(Gate gate) {
        return clients.connect(gate.newBudget());
    }
}
