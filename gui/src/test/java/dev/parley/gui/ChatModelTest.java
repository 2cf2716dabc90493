package dev.parley.gui;

import dev.parley.im.Invitation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The view model alone, without a display or a server: what the window would show after each event. */
class ChatModelTest {

    private final ChatModel model = new ChatModel(3);
    private final List<String> heard = new ArrayList<>();

    @BeforeEach
    void signInAsAlice() {
        model.addListener(new ChatModel.Listener() {
            @Override
            public void connectionChanged() {
                heard.add("connection " + model.state());
            }

            @Override
            public void invitationsChanged() {
                heard.add("invitations " + model.invitations().size());
            }

            @Override
            public void conversationOpened(Conversation conversation) {
                heard.add("opened " + conversation.id());
            }

            @Override
            public void conversationClosed(Conversation conversation) {
                heard.add("closed " + conversation.id());
            }

            @Override
            public void linesAdded(Conversation conversation, int firstNew) {
                heard.add("lines " + conversation.id() + " from " + firstNew);
            }

            @Override
            public void linesDropped(Conversation conversation, int count) {
                heard.add("dropped " + conversation.id() + " " + count);
            }

            @Override
            public void linesPrepended(Conversation conversation, int count) {
                heard.add("prepended " + conversation.id() + " " + count);
            }

            @Override
            public void unreadChanged(Conversation conversation) {
                heard.add("unread " + conversation.id() + " " + conversation.unread());
            }
        });
        model.connecting("connecting to localhost:6666");
        model.connected("alice");
    }

    @Test
    void listsBuddiesSortedByNameWithoutMeAndMarksThoseAway() {
        model.onlineUsers(Map.of("alice", "online", "carol", "away", "Bob", "online", "dave", "idle"));

        assertThat(model.buddies()).containsExactly(new Buddy("Bob", "online"), new Buddy("carol", "away"),
                new Buddy("dave", "idle"));
        assertThat(model.buddies()).extracting(Buddy::away).containsExactly(false, true, true);
        assertThat(model.myStatus()).isEqualTo("online");
    }

    @Test
    void appliesPresenceChangesToTheBuddyList() {
        model.onlineUsers(Map.of("alice", "online", "bob", "online", "carol", "online"));

        model.onlineChanged(Map.of("bob", "be right back", "erin", "online", "alice", "busy"), Set.of("carol"));

        assertThat(model.buddies()).containsExactly(new Buddy("bob", "be right back"), new Buddy("erin", "online"));
        assertThat(model.myStatus()).isEqualTo("busy");
    }

    @Test
    void anInvitationFromSomeoneElseWaitsUntilAccepted() {
        model.invited(new Invitation(7, "bob"));
        model.invited(new Invitation(7, "bob"));

        assertThat(model.invitations()).containsExactly(new Invitation(7, "bob"));
        assertThat(model.conversations()).isEmpty();

        var conversation = model.joined(7);

        assertThat(model.invitations()).isEmpty();
        assertThat(model.conversations()).containsExactly(conversation);
        assertThat(conversation.members()).containsExactly("alice");
        assertThat(heard).containsSubsequence("invitations 1", "invitations 0", "opened 7");
    }

    @Test
    void aDismissedInvitationOpensNothing() {
        model.invited(new Invitation(7, "bob"));

        model.dismissed(7);

        assertThat(model.invitations()).isEmpty();
        assertThat(model.conversations()).isEmpty();
    }

    @Test
    void myOwnInvitationOpensTheConversationAtOnce() {
        model.invited(new Invitation(3, "alice"));

        assertThat(model.invitations()).isEmpty();
        assertThat(model.conversation(3).members()).containsExactly("alice");
    }

    @Test
    void countsUnreadLinesOfConversationsNotInViewButNeverMyOwn() {
        model.joined(1);
        model.joined(2);
        model.inView(1);

        model.message(1, line("bob", "in view", false));
        model.message(2, line("bob", "elsewhere", false));
        model.message(2, line("bob", "again", false));
        model.message(2, line("alice", "mine", true));

        assertThat(model.conversation(1).unread()).isZero();
        assertThat(model.conversation(2).unread()).isEqualTo(2);
        assertThat(model.totalUnread()).isEqualTo(2);

        model.inView(2);

        assertThat(model.conversation(2).unread()).isZero();
        assertThat(heard).containsSubsequence("unread 2 1", "unread 2 2", "unread 2 0");
    }

    @Test
    void aSenderNotListedYetBecomesAMember() {
        model.joined(1);

        model.message(1, line("bob", "hi", false));

        assertThat(model.conversation(1).members()).containsExactly("alice", "bob");
        assertThat(model.conversation(1).title("alice")).isEqualTo("bob");
    }

    @Test
    void keepsTheNewestLinesUpToTheLimitAndSaysHowManyWereDropped() {
        model.joined(1);
        for (int i = 1; i <= 5; i++) {
            model.message(1, line("bob", "line " + i, false));
        }

        assertThat(model.conversation(1).lines()).extracting(ChatLine::text).containsExactly("line 3", "line 4", "line 5");
        assertThat(heard).containsSubsequence("lines 1 from 2", "dropped 1 1", "lines 1 from 2", "dropped 1 1", "lines 1 from 2");
    }

    @Test
    void putsOlderHistoryBeforeTheFirstLine() {
        model.joined(1);
        model.message(1, new ChatLine(10, "bob", "ten", Instant.EPOCH, false));

        model.olderLoaded(1, List.of(new ChatLine(8, "bob", "eight", Instant.EPOCH, false),
                new ChatLine(9, "alice", "nine", Instant.EPOCH, true)), true);

        var conversation = model.conversation(1);
        assertThat(conversation.lines()).extracting(ChatLine::sequence).containsExactly(8L, 9L, 10L);
        assertThat(conversation.oldestSequence()).isEqualTo(8);
        assertThat(conversation.hasOlderHistory()).isTrue();
    }

    @Test
    void aPageThatCrossedLiveLinesAddsOnlyTheOlderOnes() {
        model.joined(1);
        model.message(1, new ChatLine(3, "bob", "three", Instant.EPOCH, false));

        model.olderLoaded(1, List.of(new ChatLine(1, "bob", "one", Instant.EPOCH, false),
                new ChatLine(2, "carol", "two", Instant.EPOCH, false),
                new ChatLine(3, "bob", "three", Instant.EPOCH, false),
                new ChatLine(4, "carol", "four", Instant.EPOCH, false)), false);

        var conversation = model.conversation(1);
        assertThat(conversation.lines()).extracting(ChatLine::sequence).containsExactly(1L, 2L, 3L);
        assertThat(heard).contains("prepended 1 2");
    }

    @Test
    void aNewestPageIntoAnEmptyConversationCountsAsSeenSoLiveCopiesAreDropped() {
        model.joined(1);

        model.olderLoaded(1, List.of(new ChatLine(1, "bob", "one", Instant.EPOCH, false),
                new ChatLine(2, "carol", "two", Instant.EPOCH, false)), false);
        model.message(1, new ChatLine(2, "carol", "two", Instant.EPOCH, false));
        model.message(1, new ChatLine(3, "bob", "three", Instant.EPOCH, false));

        assertThat(model.conversation(1).lines()).extracting(ChatLine::sequence).containsExactly(1L, 2L, 3L);
        assertThat(model.conversation(1).newestSequence()).isEqualTo(3);
    }

    @Test
    void aFirstLineAfterTheFirstNumberMeansOlderHistoryToLoadAndTheFirstNumberMeansNone() {
        model.joined(1);
        model.joined(2);

        model.message(1, new ChatLine(7, "bob", "seven", Instant.EPOCH, false));
        model.message(2, new ChatLine(1, "bob", "one", Instant.EPOCH, false));

        assertThat(model.conversation(1).hasOlderHistory()).isTrue();
        assertThat(model.conversation(2).hasOlderHistory()).isFalse();
        model.olderLoaded(1, List.of(new ChatLine(1, "bob", "one", Instant.EPOCH, false)), false);
        assertThat(model.conversation(1).hasOlderHistory()).isFalse();
        assertThat(model.conversation(1).lines()).extracting(ChatLine::sequence).containsExactly(1L, 7L);
    }

    @Test
    void ignoresANumberedMessageAlreadyShown() {
        model.joined(1);
        model.message(1, new ChatLine(1, "bob", "one", Instant.EPOCH, false));
        model.message(1, new ChatLine(2, "bob", "two", Instant.EPOCH, false));

        model.message(1, new ChatLine(2, "bob", "two", Instant.EPOCH, false));

        assertThat(model.conversation(1).lines()).extracting(ChatLine::sequence).containsExactly(1L, 2L);
        assertThat(model.conversation(1).unread()).isEqualTo(2);
    }

    @Test
    void aGapIsANoticeLineInItsConversation() {
        model.joined(1);
        model.message(1, new ChatLine(1, "bob", "one", Instant.EPOCH, false));

        model.gap(1, 2, 4, Instant.EPOCH);

        var notice = model.conversation(1).lines().getLast();
        assertThat(notice.isNotice()).isTrue();
        assertThat(notice.text()).isEqualTo("Messages 2 to 4 are no longer kept by the server");
        assertThat(model.conversation(1).oldestSequence()).isEqualTo(1);
    }

    @Test
    void theListingOfOngoingConversationsUpdatesTheMembersOfMine() {
        model.joined(4);

        model.ongoing(Map.of(4L, List.of("alice", "bob", "carol"), 5L, List.of("dave")));

        assertThat(model.ongoing()).containsOnlyKeys(4L, 5L);
        assertThat(model.conversation(4).members()).containsExactly("alice", "bob", "carol");
        assertThat(model.conversation(4).title("alice")).isEqualTo("bob, carol");
    }

    @Test
    void leavingClosesTheConversation() {
        model.joined(4);

        model.left(4);

        assertThat(model.conversations()).isEmpty();
        assertThat(heard).containsSubsequence("opened 4", "closed 4");
    }

    @Test
    void goesThroughEveryConnectionStateKeepingWhatWasSaid() {
        model.joined(1);
        model.message(1, line("bob", "before the drop", false));

        model.reconnecting("connection reset");
        assertThat(model.state()).isEqualTo(ConnectionState.RECONNECTING);
        assertThat(model.stateDetail()).isEqualTo("connection reset");

        model.connected("alice");
        model.disconnected("server closed");

        assertThat(model.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(model.conversation(1).lines()).extracting(ChatLine::text).containsExactly("before the drop");
        assertThat(heard).containsSubsequence("connection CONNECTING", "connection CONNECTED",
                "connection RECONNECTING", "connection CONNECTED", "connection DISCONNECTED");
    }

    @Test
    void refusesALimitBelowOneLine() {
        assertThatThrownBy(() -> new ChatModel(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    private static ChatLine line(String sender, String text, boolean own) {
        return new ChatLine(0, sender, text, Instant.EPOCH, own);
    }
}
