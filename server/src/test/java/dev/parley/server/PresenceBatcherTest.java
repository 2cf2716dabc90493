package dev.parley.server;

import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

/** Presence batching with a timer whose tasks run when the test runs them. */
class PresenceBatcherTest {

    private static final Duration DELAY = Duration.ofMillis(100);

    private final RecordingClients clients = new RecordingClients();
    private final Session alice = clients.connect();
    private final Session bob = clients.connect();
    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<Duration> delays = new ArrayList<>();
    private final PresenceBatcher.Audience audience = new PresenceBatcher.Audience() {
        @Override
        public List<Session> here() {
            return List.of(alice, bob);
        }

        @Override
        public Map<String, String> onlineList() {
            return Map.of("alice", "here", "bob", "away");
        }
    };

    private PresenceBatcher batcher(Duration delay) {
        return new PresenceBatcher(delay, new ReentrantLock(), (task, after) -> {
            delays.add(after);
            scheduled.add(task);
        }, clients);
    }

    @Test
    void gathersTheChangesWithinTheDelayIntoOneTheLatestStateOfEachUserWinning() {
        PresenceBatcher presence = batcher(DELAY);

        presence.online("carol", "here");
        presence.send(audience);
        presence.online("dave", "here");
        presence.send(audience);
        presence.online("carol", "away");
        presence.offline("dave");
        presence.send(audience);

        assertThat(clients.take(alice)).as("nothing before the delay").isEmpty();
        assertThat(delays).containsExactly(DELAY);
        scheduled.removeFirst().run();
        var changes = new OnlineUsersChanged(Map.of("carol", "away"), Set.of("dave"));
        assertThat(clients.take(alice)).containsExactly(changes);
        assertThat(clients.take(bob)).containsExactly(changes);
    }

    @Test
    void startsANewBatchOnceOneIsSent() {
        PresenceBatcher presence = batcher(DELAY);
        presence.online("carol", "here");
        presence.send(audience);
        scheduled.removeFirst().run();
        clients.take(alice);

        presence.offline("carol");
        presence.send(audience);
        scheduled.removeFirst().run();

        assertThat(clients.take(alice)).containsExactly(new OnlineUsersChanged(Map.of(), Set.of("carol")));
    }

    @Test
    void sendsEachChangeAtOnceWithoutADelay() {
        PresenceBatcher presence = batcher(Duration.ZERO);

        presence.online("carol", "here");
        presence.send(audience);

        assertThat(clients.take(alice)).containsExactly(new OnlineUsersChanged(Map.of("carol", "here"), Set.of()));
        assertThat(scheduled).isEmpty();
    }

    @Test
    void broadcastsTheWholeListToEveryoneHere() {
        PresenceBatcher presence = batcher(DELAY);

        presence.broadcastWholeList(audience);

        var list = new OnlineUsers(Map.of("alice", "here", "bob", "away"));
        assertThat(clients.take(alice)).containsExactly(list);
        assertThat(clients.take(bob)).containsExactly(list);
    }
}
