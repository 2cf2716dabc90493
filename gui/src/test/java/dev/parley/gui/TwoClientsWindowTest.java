package dev.parley.gui;

import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.server.cli.Addresses;
import dev.parley.server.store.SqliteStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;
import org.assertj.swing.core.BasicRobot;
import org.assertj.swing.core.KeyPressInfo;
import org.assertj.swing.core.Robot;
import org.assertj.swing.edt.FailOnThreadViolationRepaintManager;
import org.assertj.swing.edt.GuiActionRunner;
import org.assertj.swing.finder.WindowFinder;
import org.assertj.swing.fixture.DialogFixture;
import org.assertj.swing.fixture.FrameFixture;
import org.assertj.swing.fixture.JListFixture;
import org.assertj.swing.image.ScreenshotTaker;
import org.assertj.swing.timing.Condition;
import org.assertj.swing.timing.Pause;
import org.assertj.swing.timing.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JTextPane;
import java.awt.Dimension;
import java.awt.Point;
import java.awt.event.KeyEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Two desktop clients in real windows (under Xvfb in the build), driven by AssertJ Swing's robot,
 * and a {@code parley chat} in a process of its own, all against a real server over TCP on an
 * ephemeral port. Every step waits
 * for the condition it needs, up to {@link #TIMEOUT}, never for a fixed time.
 */
class TwoClientsWindowTest {

    private static final Timeout TIMEOUT = Timeout.timeout(30_000);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static final ServerOptions OPTIONS =
            ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).presenceDelay(Duration.ZERO).build();

    @TempDir
    Path settings;

    /** The server's store, on disk so that a restarted server carries on with it (a server closes its store). */
    @TempDir
    Path data;

    private ImServer server;
    private ChatProcess carol;
    private Robot robot;
    private final List<ParleyGui> guis = new ArrayList<>();

    @BeforeAll
    static void needsADisplay() {
        Display.required();
        FailOnThreadViolationRepaintManager.install();
        GuiActionRunner.execute(() -> ParleyGui.lookAndFeel(false));
    }

    @BeforeEach
    void startServerAndCarol() throws Exception {
        server = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        carol = carol();
        robot = BasicRobot.robotWithNewAwtHierarchy();
        robot.settings().delayBetweenEvents(10);
    }

    /** Keeps a picture of the screen as the test left it, in target/screenshots, to see what went wrong. */
    private ImServer start(SocketAddress address) throws IOException, StoreException {
        return ImServer.start(Transport.byName("tcp"), address, OPTIONS, SqliteStore.open(data, StoreOptions.defaults()));
    }

    private ChatProcess carol() throws IOException {
        return ChatProcess.signIn(server.localAddress(), "carol");
    }

    @AfterEach
    void stop(TestInfo test) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path picture = SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png");
        Files.deleteIfExists(picture);
        new ScreenshotTaker().saveDesktopAsPng(picture.toString());
        robot.cleanUp();
        carol.close();
        server.close();
    }

    @Test
    void twoPeopleSignInInviteChatChangeStatusLeaveAndCarryOnWhenTheServerRestarts() throws Exception {
        var alice = signIn("alice");
        var bob = signIn("bob");

        await("alice sees bob and carol", () -> buddyNames(alice).equals(List.of("bob", "carol")));
        await("bob sees alice and carol", () -> buddyNames(bob).equals(List.of("alice", "carol")));

        JListFixture buddies = alice.list("buddies");
        buddies.replaceCellReader((list, index) -> ((Buddy) list.getModel().getElementAt(index)).name());
        buddies.selectItems("bob", "carol");
        alice.button("invite").click();

        long id = Long.parseLong(carol.await("alice's invitation", line -> line.matches("invited \\d+ by alice"))
                .split(" ")[1]);
        await("alice's conversation opens", () -> exists(alice, "conversation-" + id));
        await("bob is invited", () -> exists(bob, "invitation-" + id));
        bob.button("accept-" + id).click();
        await("bob's conversation opens", () -> exists(bob, "conversation-" + id));
        // Joins are in when the server lists the joiner as a member: only then is every message theirs.
        await("the server lists bob in the conversation", () -> listed(bob, id).contains("bob"));
        carol.type("/join " + id);
        carol.type("/list");
        carol.await("the server lists carol in the conversation", line -> line.startsWith("conversations ")
                && line.matches(".*\\b" + id + "=\\[[^]]*\\bcarol\\b.*"));

        var aliceTalk = alice.panel("conversation-" + id);
        // Without a window manager, a click is what moves the focus from one window to another.
        aliceTalk.textBox("input").click();
        aliceTalk.textBox("input").setText("hello 😀 привет, a long line " + "that wraps ".repeat(20));
        aliceTalk.textBox("input").pressAndReleaseKey(KeyPressInfo.keyCode(KeyEvent.VK_ENTER));
        carol.await("alice's hello", line -> line.startsWith("message " + id + " #")
                && line.contains(" alice: hello 😀 привет, a long line that wraps"));
        await("bob reads alice", () -> lines(bob, id).contains("alice: hello 😀 привет"));

        var bobTalk = bob.panel("conversation-" + id);
        bobTalk.textBox("input").click();
        bobTalk.textBox("input").enterText("first line");
        bobTalk.textBox("input").pressKey(KeyEvent.VK_SHIFT).pressAndReleaseKeys(KeyEvent.VK_ENTER).releaseKey(KeyEvent.VK_SHIFT);
        bobTalk.textBox("input").enterText("second line");
        bobTalk.textBox("input").pressAndReleaseKey(KeyPressInfo.keyCode(KeyEvent.VK_ENTER));
        carol.await("bob's two lines", line -> line.endsWith(" bob: first line\\nsecond line"));
        await("alice reads bob's two lines", () -> lines(alice, id).contains("bob: first line\nsecond line"));
        await("bob's input is empty after sending", () -> bobTalk.textBox("input").text().isEmpty());
        carol.type("/say " + id + " hi both");
        await("alice reads carol", () -> lines(alice, id).contains("carol: hi both"));

        String tooLong = "x".repeat(OPTIONS.maxTextLength() + 1);
        aliceTalk.textBox("input").click(); // bob's window had the focus
        aliceTalk.textBox("input").setText(tooLong);
        aliceTalk.textBox("input").pressAndReleaseKey(KeyPressInfo.keyCode(KeyEvent.VK_ENTER));
        await("alice is told her line is too long", () -> text(alice.label("problem").target()).contains("too long"));
        await("what alice wrote is back in her input", () -> aliceTalk.textBox("input").text().equals(tooLong));
        aliceTalk.textBox("input").setText("");

        bob.comboBox("myStatus").click();
        bob.comboBox("myStatus").replaceText("lunch");
        robot.pressAndReleaseKeys(KeyEvent.VK_ENTER); // to the combo box's editor, which has the focus
        carol.await("bob at lunch", line -> line.startsWith("online ") && line.contains("bob=lunch"));
        await("alice sees bob at lunch", () -> buddies(alice).contains(new Buddy("bob", "lunch")));

        bobTalk.button("leave").click();
        await("bob's tab closes", () -> !exists(bob, "conversation-" + id));
        await("alice's listing, refreshed, no longer has bob in it", () -> {
            alice.button("refresh").click();
            return Set.copyOf(listed(alice, id)).equals(Set.of("alice", "carol"));
        });
        await("alice's members no longer list bob", () -> text(aliceTalk.label("members").target()).equals("Members: alice, carol"));

        SocketAddress address = server.localAddress();
        server.close();
        await("alice's banner says she is reconnecting", () -> bannerSays(alice, "Reconnecting"));
        await("bob's banner says he is reconnecting", () -> bannerSays(bob, "Reconnecting"));
        carol.await("carol's chat is reconnecting", line -> line.startsWith("reconnecting: "));
        server = start(address); // the same port and store
        await("alice's banner is gone: connected again", () -> !bannerShows(alice));
        await("bob's banner is gone: connected again", () -> !bannerShows(bob));
        carol.await("carol's chat is back", "reconnected"::equals);
        aliceTalk.textBox("input").enterText("after the restart");
        aliceTalk.textBox("input").pressAndReleaseKey(KeyPressInfo.keyCode(KeyEvent.VK_ENTER));
        carol.await("alice's line after the restart", line -> line.endsWith(" alice: after the restart"));
        await("alice's own line shows once the server has it", () -> lines(alice, id).contains("alice: after the restart"));
    }

    @Test
    void keepsTheFieldsAndSaysWhyWhenTheNameIsTaken() {
        GuiActionRunner.execute(() -> guis.add(ParleyGui.open(SignInSettings.load(settings.resolve("x.properties")))));
        var dialog = WindowFinder.findDialog("signInDialog").withTimeout(TIMEOUT.duration()).using(robot);
        dialog.textBox("server").setText(Addresses.format(server.localAddress()));
        dialog.textBox("user").setText("Carol");
        pressSignIn(dialog);

        await("the dialog says the name is taken", () -> text(dialog.label("error").target()).contains("username Carol is taken"));
        dialog.textBox("user").requireText("Carol");
        dialog.textBox("server").requireText(Addresses.format(server.localAddress()));
        dialog.pressAndReleaseKey(KeyPressInfo.keyCode(KeyEvent.VK_ESCAPE));
        dialog.requireNotVisible();
    }

    /** Signs {@code user} in and puts the main window beside the others: without a window manager, windows would stack. */
    private FrameFixture signIn(String user) {
        GuiActionRunner.execute(() -> guis.add(ParleyGui.open(SignInSettings.load(settings.resolve(user + ".properties")))));
        var dialog = WindowFinder.findDialog("signInDialog").withTimeout(TIMEOUT.duration()).using(robot);
        dialog.textBox("server").setText(Addresses.format(server.localAddress()));
        dialog.comboBox("transport").selectItem("tcp");
        dialog.textBox("user").setText(user);
        pressSignIn(dialog);
        var frame = WindowFinder.findFrame("mainWindow-" + user).withTimeout(TIMEOUT.duration()).using(robot);
        frame.resizeTo(new Dimension(960, 640));
        frame.moveTo(new Point(1000 * (guis.size() - 1), 0));
        return frame;
    }

    /**
     * Presses the dialog's Sign in button on the event thread rather than clicking it with the robot:
     * under load a robot click on a dialog not yet ready for input was lost, and nothing was ever sent.
     */
    private static void pressSignIn(DialogFixture dialog) {
        var signIn = dialog.button("signIn").target();
        GuiActionRunner.execute(() -> {
            signIn.doClick();
        });
    }

    private static boolean exists(FrameFixture frame, String name) {
        return GuiActionRunner.execute(() -> frame.robot().finder().findAll(frame.target(),
                component -> name.equals(component.getName()) && component.isShowing()).size() == 1);
    }

    /** The members of conversation {@code id} in {@code frame}'s list of ongoing conversations, as the server last listed them. */
    private static List<String> listed(FrameFixture frame, long id) {
        return GuiActionRunner.execute(() -> {
            var ongoing = frame.list("ongoing").target().getModel();
            for (int i = 0; i < ongoing.getSize(); i++) {
                if (ongoing.getElementAt(i) instanceof Map.Entry<?, ?> entry && entry.getKey().equals(id)) {
                    return ((List<?>) entry.getValue()).stream().map(String::valueOf).toList();
                }
            }
            return List.of();
        });
    }

    private static List<Buddy> buddies(FrameFixture frame) {
        return GuiActionRunner.execute(() -> {
            @SuppressWarnings("unchecked")
            JList<Buddy> list = (JList<Buddy>) frame.list("buddies").target();
            var all = new ArrayList<Buddy>();
            for (int i = 0; i < list.getModel().getSize(); i++) {
                all.add(list.getModel().getElementAt(i));
            }
            return all;
        });
    }

    private static List<String> buddyNames(FrameFixture frame) {
        return buddies(frame).stream().map(Buddy::name).toList();
    }

    /** The text of conversation {@code id}'s lines, without the times. */
    private static String lines(FrameFixture frame, long id) {
        return GuiActionRunner.execute(() -> {
            var pane = (JTextPane) frame.panel("conversation-" + id).textBox("lines").target();
            return pane.getText().replaceAll("(?m)^\\d\\d:\\d\\d  ", "");
        });
    }

    /** Whether {@code frame}'s banner shows; unlike {@code frame.label}, finds it hidden too. */
    private boolean bannerShows(FrameFixture frame) {
        return GuiActionRunner.execute(() ->
                robot.finder().findByName(frame.target(), "banner", JLabel.class, false).isShowing());
    }

    private static boolean bannerSays(FrameFixture frame, String start) {
        return GuiActionRunner.execute(() -> {
            JLabel banner = frame.label("banner").target();
            return banner.isShowing() && banner.getText().startsWith(start);
        });
    }

    private static String text(JLabel label) {
        return GuiActionRunner.execute(label::getText);
    }

    private static void await(String what, Callable<Boolean> condition) {
        Pause.pause(new Condition(what) {
            private String lastFailure = "";

            @Override
            protected String descriptionAddendum() {
                return lastFailure;
            }

            @Override
            public boolean test() {
                try {
                    return condition.call();
                } catch (RuntimeException e) {
                    // A component not there yet: the condition is not met yet; say why should it time out.
                    lastFailure = " (last: " + e + ")";
                    return false;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }, TIMEOUT);
    }
}
