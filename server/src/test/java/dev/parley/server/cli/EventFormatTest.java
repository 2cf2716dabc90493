package dev.parley.server.cli;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.History;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventFormatTest {

    @Test
    void writesEachEventAsOneStableLine() {
        assertThat(EventFormat.line(new OnlineUsers(Map.of("bob", "away", "alice", "online", "Carol", "be right back"))))
                .isEqualTo("online alice=online bob=away Carol=\"be right back\"");
        assertThat(EventFormat.line(new Invitation(3, "alice"))).isEqualTo("invited 3 by alice");
        assertThat(EventFormat.line(new Message(3, 1, 0, "alice", 0, "hello there"))).isEqualTo("message 3 #1 alice: hello there");
        assertThat(EventFormat.line(new Conversations(Map.of(4L, List.of("carol"), 3L, List.of("alice", "bob")))))
                .isEqualTo("conversations 3=[alice, bob] 4=[carol]");
        assertThat(EventFormat.line(new Conversations(Map.of()))).isEqualTo("conversations none");
        assertThat(EventFormat.line(new History(3, List.of(new Message(3, 9, 0, "bob", 0, "hi")), 8, 9)))
                .isEqualTo("history 3 kept 8-9: 1 messages\nmessage 3 #9 bob: hi");
        assertThat(EventFormat.line(new Error("unknown conversation 9", "Join"))).isEqualTo("error Join: unknown conversation 9");
        assertThat(EventFormat.line(new Error("something broke", ""))).isEqualTo("error something broke");
    }

    @Test
    void writesAChangeToTheOnlineListAsUsersComingThenUsersGoing() {
        assertThat(EventFormat.line(new OnlineUsersChanged(Map.of("dave", "online", "bob", "be right back"),
                Set.of("carol", "Alice"))))
                .isEqualTo("online +bob=\"be right back\" +dave=online -Alice -carol");
        assertThat(EventFormat.line(new OnlineUsersChanged(Map.of(), Set.of("carol")))).isEqualTo("online -carol");
        assertThat(EventFormat.line(new OnlineUsersChanged(Map.of(), Set.of()))).isEqualTo("online unchanged");
    }

    @Test
    void keepsTextThatTriesToForgeAnotherLineOnItsOwnLine() {
        String line = EventFormat.line(new Message(3, 1, 0, "mallory", 0, "hi\ninvited 9 by alice\\"));

        assertThat(line).isEqualTo("message 3 #1 mallory: hi\\ninvited 9 by alice\\\\").doesNotContain("\n");
        assertThat(EventFormat.line(new OnlineUsers(Map.of("eve", "a\"b\u0007")))).isEqualTo("online eve=\"a\\\"b\\u0007\"");
    }
}
