package dev.parley.im;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnlineUsersChangedTest {

    @Test
    void refusesAUserBothOnlineAndOffline() {
        assertThatThrownBy(() -> new OnlineUsersChanged(Map.of("bob", "away"), Set.of("bob")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bob is both online and offline");
    }

    @Test
    void refusesNulls() {
        var withNullStatus = new HashMap<String, String>();
        withNullStatus.put("bob", null);
        var withNullName = new HashSet<String>();
        withNullName.add(null);

        assertThatThrownBy(() -> new OnlineUsersChanged(withNullStatus, Set.of()))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new OnlineUsersChanged(Map.of(), withNullName))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new OnlineUsersChanged(null, Set.of())).isInstanceOf(NullPointerException.class);
    }

    @Test
    void keepsItsOwnCopies() {
        var online = new HashMap<>(Map.of("bob", "away"));
        var offline = new HashSet<>(Set.of("carol"));
        var changed = new OnlineUsersChanged(online, offline);

        online.put("dave", "online");
        offline.add("erin");

        assertThat(changed.online()).isEqualTo(Map.of("bob", "away"));
        assertThat(changed.offline()).isEqualTo(Set.of("carol"));
    }

    @Test
    void bringsAViewUpToDateAndChangesNothingWhenAppliedAgain() {
        var view = new HashMap<>(Map.of("alice", "online", "bob", "online", "carol", "online"));
        var changed = new OnlineUsersChanged(Map.of("bob", "away", "dave", "online"), Set.of("carol", "erin"));

        changed.applyTo(view);
        assertThat(view).isEqualTo(Map.of("alice", "online", "bob", "away", "dave", "online"));
        changed.applyTo(view);
        assertThat(view).isEqualTo(Map.of("alice", "online", "bob", "away", "dave", "online"));
    }
}
