package dev.parley.server;

import dev.parley.im.Error;
import dev.parley.im.GetHistory;
import dev.parley.im.Goodbye;
import dev.parley.im.History;
import dev.parley.im.ImEvent;
import dev.parley.im.ImProtocol;
import dev.parley.im.Invitation;
import dev.parley.im.Invite;
import dev.parley.im.Join;
import dev.parley.im.Leave;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;
import dev.parley.im.Register;
import dev.parley.im.SendMessage;
import dev.parley.im.StatusChange;
import dev.parley.server.store.Appended;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The chat core driven step by step over a {@link MemoryStore}: no thread, socket or lock. The
 * store's answers to appends wait in {@link #appends} until a test hands them back, in the order it
 * chooses; changes to the online list are sent at once (no presence delay).
 */
class ChatCoreTest {

    private static final ServerOptions OPTIONS = ServerOptions.builder().resumeWindow(Duration.ZERO).build();

    private final ChatStore store = MemoryStore.create(StoreOptions.defaults());
    private final RecordingClients clients = new RecordingClients();
    private final List<HandedOver> appends = new ArrayList<>();
    private ChatCore core;
    private Session alice;
    private Session bob;

    private record HandedOver(Session sender, SendMessage send, CompletionStage<Appended> appended) {
    }

    private void start(ServerOptions options) throws IOException {
        var presence = new PresenceBatcher(Duration.ZERO, new ReentrantLock(), (task, delay) -> {
            throw new AssertionError("nothing is delayed without a presence delay");
        }, clients);
        core = new ChatCore(options, store, null, clients, presence,
                (sender, send, appended) -> appends.add(new HandedOver(sender, send, appended)), () -> 0);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void sendsANewUserTheWholeOnlineListThenTellsEveryoneTheChange() throws Exception {
        start(OPTIONS);
        alice = register("alice");
        clients.take(alice);

        bob = register("bob");

        assertThat(clients.take(bob)).containsExactly(
                new OnlineUsers(Map.of("alice", "here", "bob", "here")),
                new OnlineUsersChanged(Map.of("bob", "here"), Set.of()));
        assertThat(clients.take(alice)).containsExactly(new OnlineUsersChanged(Map.of("bob", "here"), Set.of()));
    }

    @Test
    void refusesANameTakenOrLookingLikeOneOnline() throws Exception {
        start(OPTIONS);
        register("alice");

        assertThatThrownBy(() -> core.apply(clients.connect(), new Register("Alice", "here")))
                .isInstanceOf(Refusal.class).hasMessage("username Alice is taken");
        assertThatThrownBy(() -> core.apply(clients.connect(), new Register("a1ice", "here")))
                .isInstanceOf(Refusal.class).hasMessage("username a1ice looks like alice, who is online");
    }

    @Test
    void refusesEveryRequestButRegisterBeforeRegistering() throws Exception {
        start(OPTIONS);
        Session stranger = clients.connect();

        assertThatThrownBy(() -> core.apply(stranger, new SendMessage(1, 1, "hi")))
                .isInstanceOf(Refusal.class).hasMessage("register first");
        assertThat(clients.take(stranger)).isEmpty();
    }

    @Test
    void invitesEveryInvitedUserAndTheInviterButNobodyElse() throws Exception {
        aliceAndBobOnline(OPTIONS);
        Session carol = register("carol");
        takeAll(alice, bob, carol);

        core.apply(alice, new Invite(List.of("bob")));

        assertThat(clients.take(alice)).containsExactly(new Invitation(1, "alice"));
        assertThat(clients.take(bob)).containsExactly(new Invitation(1, "alice"));
        assertThat(clients.take(carol)).isEmpty();
        assertThatThrownBy(() -> core.apply(alice, new Invite(List.of("dave"))))
                .isInstanceOf(Refusal.class).hasMessage("not online: dave");
    }

    @Test
    void tellsEveryMemberOfAMessageInSequenceOrderWhateverOrderTheStoreAnswers() throws Exception {
        aliceAndBobInAConversation(OPTIONS);

        core.apply(alice, new SendMessage(1, 1, "first"));
        core.apply(bob, new SendMessage(1, 1, "second"));
        storedInReverse();

        for (Session member : List.of(alice, bob)) {
            assertThat(clients.take(member)).extracting(event -> (Message) event)
                    .extracting(Message::sequence, Message::sender, Message::text)
                    .containsExactly(tuple(1L, "alice", "first"), tuple(2L, "bob", "second"));
        }
    }

    @Test
    void sendsNothingOfAMessageBeforeTheStoreHasIt() throws Exception {
        aliceAndBobInAConversation(OPTIONS);

        core.apply(alice, new SendMessage(1, 1, "hello"));

        assertThat(clients.take(alice)).isEmpty();
        stored();
        assertThat(clients.take(alice)).hasSize(1);
    }

    @Test
    void answersAResendWithTheFirstCopyToTheSenderAlone() throws Exception {
        aliceAndBobInAConversation(OPTIONS);
        core.apply(alice, new SendMessage(1, 7, "once"));
        stored();
        takeAll(alice, bob);

        core.apply(alice, new SendMessage(1, 7, "once"));
        stored();

        assertThat(clients.take(alice)).extracting(event -> ((Message) event).sequence()).containsExactly(1L);
        assertThat(clients.take(bob)).isEmpty();
    }

    @Test
    void refusesAPostToAConversationTheSenderIsNotIn() throws Exception {
        aliceAndBobOnline(OPTIONS);
        core.apply(alice, new Invite(List.of("bob")));

        assertThatThrownBy(() -> core.apply(bob, new SendMessage(1, 1, "let me in")))
                .isInstanceOf(Refusal.class).hasMessage("not a member of conversation 1");
        assertThat(appends).isEmpty();
    }

    @Test
    void tellsTheSenderAloneOfAMessageTheStoreCouldNotTake() throws Exception {
        aliceAndBobInAConversation(OPTIONS);

        core.appendFailed(alice, new SendMessage(1, 9, "lost"), new StoreException("disk full"));

        assertThat(clients.take(alice)).containsExactly(new Error("not stored: disk full", "SendMessage", 9));
        assertThat(clients.take(bob)).isEmpty();
    }

    @Test
    void aGoodbyeTakesTheUserOutOfEveryConversationAndTellsEveryone() throws Exception {
        aliceAndBobInAConversation(OPTIONS);

        core.apply(bob, new Goodbye());

        assertThat(clients.take(alice)).containsExactly(new OnlineUsersChanged(Map.of(), Set.of("bob")));
        assertThat(core.onlineList()).containsOnlyKeys("alice");
        assertThat(store.conversations()).containsEntry(1L, List.of("alice"));
        assertThatThrownBy(() -> core.apply(bob, new SendMessage(1, 1, "still here?")))
                .isInstanceOf(Refusal.class).hasMessage("register first");
    }

    @Test
    void endsAConversationItsLastMemberLeaves() throws Exception {
        aliceAndBobOnline(OPTIONS);
        core.apply(alice, new Invite(List.of("bob")));

        core.apply(alice, new Leave(1));

        assertThat(core.conversationCount()).isZero();
        assertThatThrownBy(() -> core.apply(bob, new Join(1)))
                .isInstanceOf(Refusal.class).hasMessage("unknown conversation 1");
    }

    @Test
    void tellsEveryoneOfAStatusChange() throws Exception {
        aliceAndBobOnline(OPTIONS);
        takeAll(alice, bob);

        core.apply(bob, new StatusChange("away"));

        assertThat(clients.take(alice)).containsExactly(new OnlineUsersChanged(Map.of("bob", "away"), Set.of()));
        assertThat(core.onlineList()).containsEntry("bob", "away");
    }

    @Test
    void checksAHistoryRequestUnderTheLockAndReadsItFromTheStoreAfter() throws Exception {
        start(OPTIONS);
        alice = register("alice");
        core.apply(alice, new Invite(List.of("alice")));
        core.apply(alice, new SendMessage(1, 1, "one"));
        core.apply(alice, new SendMessage(1, 2, "two"));
        stored();
        GetHistory get = new GetHistory(1, 0, false, 10);

        assertThat(core.apply(alice, get)).isNull();
        ImEvent history = core.readFromStore(get);

        assertThat(((History) history).messages()).extracting(Message::text).containsExactly("one", "two");
        assertThatThrownBy(() -> core.apply(alice, new GetHistory(1, 0, false, 0)))
                .isInstanceOf(Refusal.class).hasMessage("a history page holds at least 1 message, not 0");
    }

    @Test
    void keepsADisconnectedUsersPlaceSilentlyUntilTheirWindowRunsOut() throws Exception {
        aliceAndBobOnline(ServerOptions.builder().resumeWindow(Duration.ofMinutes(1)).build());
        takeAll(alice, bob);

        assertThat(core.disconnected(bob, "reset")).isTrue();
        assertThat(core.heldUsers()).containsExactly("bob");
        assertThat(clients.take(alice)).isEmpty();

        core.expire(bob);
        assertThat(core.heldUsers()).isEmpty();
        assertThat(clients.take(alice)).containsExactly(new OnlineUsersChanged(Map.of(), Set.of("bob")));
    }

    @Test
    void resumesAUserWhoComesBackWithTheMessagesTheyMissed() throws Exception {
        aliceAndBobInAConversation(ServerOptions.builder().resumeWindow(Duration.ofMinutes(1)).build());
        core.apply(alice, new SendMessage(1, 1, "seen"));
        stored();
        core.disconnected(bob, "reset");
        core.apply(alice, new SendMessage(1, 2, "missed"));
        stored();
        takeAll(alice, bob);

        Session bobAgain = clients.connect();
        core.apply(bobAgain, new Register("bob", "here", "", ImProtocol.VERSION, Map.of(1L, 1L)));

        assertThat(clients.take(bobAgain)).hasExactlyElementsOfTypes(OnlineUsers.class, Message.class)
                .last().extracting(event -> ((Message) event).text()).isEqualTo("missed");
        assertThat(clients.take(alice)).as("nobody is told of a user who came back as they were").isEmpty();
        assertThat(core.heldUsers()).isEmpty();
        core.expire(bob);
        assertThat(core.onlineList()).containsOnlyKeys("alice", "bob");
    }

    /** Alice and Bob registered and members of conversation 1, which Alice started; what they were sent so far taken. */
    private void aliceAndBobInAConversation(ServerOptions options) throws Exception {
        aliceAndBobOnline(options);
        core.apply(alice, new Invite(List.of("bob")));
        core.apply(bob, new Join(1));
        takeAll(alice, bob);
    }

    private void aliceAndBobOnline(ServerOptions options) throws Exception {
        start(options);
        alice = register("alice");
        bob = register("bob");
    }

    private Session register(String username) throws Exception {
        Session session = clients.connect();
        assertThat(core.apply(session, new Register(username, "here"))).isNull();
        return session;
    }

    private void takeAll(Session... sessions) {
        for (Session session : sessions) {
            clients.take(session);
        }
    }

    /** Hands the store's answers back to the core, in the order they came. */
    private void stored() {
        appends.forEach(this::stored);
        appends.clear();
    }

    /** Hands the store's answers back to the core, the last first. */
    private void storedInReverse() {
        appends.reversed().forEach(this::stored);
        appends.clear();
    }

    private void stored(HandedOver handedOver) {
        Appended appended = handedOver.appended().toCompletableFuture().join();
        assertThat(core.stored(handedOver.sender(), appended)).as("a gap to fill").isZero();
    }
}
