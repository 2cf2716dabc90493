package dev.parley.gui;

import dev.parley.im.Invitation;
import dev.parley.server.ImServer;
import dev.parley.server.ScriptedClient;
import dev.parley.server.ServerOptions;
import dev.parley.server.cli.Addresses;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.swing.JFrame;
import javax.swing.JScrollPane;
import javax.swing.JTextPane;
import javax.swing.SwingUtilities;
import javax.swing.text.BadLocationException;
import java.awt.Component;
import java.awt.Container;
import java.awt.Point;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Scrolling up through a conversation's history in a real window: each page of older lines goes in
 * above what the reader is looking at, which stays where it was on the screen, until the first
 * message. Against a real server (memory transport); the window on a real display (Xvfb in the build).
 */
class HistoryScrollWindowTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SAID = 3 * ImSession.DEFAULT_HISTORY_PAGE + 10;
    private static final Pattern NUMBERED = Pattern.compile("line (\\d+)\\b");

    private ImServer server;
    private ScriptedClient bob;
    private final ChatModel model = new ChatModel();
    private ImSession session;
    private JFrame frame;

    @BeforeEach
    void startServerWithBobOnline() throws Exception {
        Display.required();
        server = ImServer.start(Transport.byName("memory"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).presenceDelay(Duration.ZERO)
                        .messageBurst(1_000).build());
        bob = ScriptedClient.connect(Transport.byName("memory"), server.localAddress(), "bob");
        bob.register("online");
        session = new ImSession(model, SwingUtilities::invokeLater, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        if (frame != null) {
            SwingUtilities.invokeAndWait(frame::dispose);
        }
        if (session != null) {
            session.close();
        }
        if (bob != null) {
            bob.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void keepsTheLineInViewWhereItWasAsEachOlderPageComesInAboveIt() throws Exception {
        SwingUtilities.invokeAndWait(() -> {
            ParleyGui.lookAndFeel(false);
            frame = new JFrame("history");
            frame.setContentPane(new MainPanel(model, session, ZoneOffset.UTC));
            frame.setSize(900, 600);
            frame.setVisible(true);
        });
        session.signIn(new SignIn(Addresses.format(server.localAddress()), "memory", null, "alice", "", "online")).get();
        bob.client().invite(List.of("alice"));
        long id = bob.await(Invitation.class).conversationId();
        for (int i = 1; i <= SAID; i++) {
            bob.client().send(id, "line " + i + " from bob").get(30, TimeUnit.SECONDS);
        }
        await("alice is invited", () -> model.invitations().stream().map(Invitation::conversationId).toList().contains(id));
        session.join(id);
        // Joining shows the newest page, at the bottom: the page of lines before it loads on scrolling up.
        long firstShown = SAID - ImSession.DEFAULT_HISTORY_PAGE + 1;
        await("the newest page shows", () -> model.conversation(id) != null
                && model.conversation(id).oldestSequence() == firstShown);
        await("the newest line is in view, the first shown above it", () -> lastLineInView(id) == SAID
                && offsetInView(id, firstShown) < 0);

        int pages = 0;
        while (onEdt(() -> model.conversation(id).hasOlderHistory()) && pages < SAID) {
            long oldest = onEdt(() -> model.conversation(id).oldestSequence());
            double before = onEdt(() -> {
                scrollToTop(id);
                return offsetInView(id, oldest);
            });
            assertThat(before).as("where line " + oldest + " is, scrolled to the top").isBetween(0.0, 20.0);
            await("the page before line " + oldest + " is in", () -> model.conversation(id).oldestSequence() < oldest);
            assertThat(onEdt(() -> offsetInView(id, oldest)))
                    .as("where line " + oldest + " is once the older page is in, above it").isCloseTo(before, within(1.0));
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(onEdt(() -> model.conversation(id).oldestSequence())).isEqualTo(1);
        assertThat(onEdt(() -> {
            scrollToTop(id);
            return offsetInView(id, 1);
        })).as("where the first message is, scrolled to the top").isBetween(0.0, 20.0);
    }

    private JTextPane lines(long id) {
        var panel = ((MainPanel) frame.getContentPane()).panel(id);
        return (JTextPane) find(panel, "lines");
    }

    private static Component find(Container container, String name) {
        for (var child : container.getComponents()) {
            if (name.equals(child.getName())) {
                return child;
            }
            if (child instanceof Container inner) {
                var found = find(inner, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Scrolls conversation {@code id} to its top and lays it out (on the event thread). */
    private void scrollToTop(long id) {
        var scroll = (JScrollPane) SwingUtilities.getAncestorOfClass(JScrollPane.class, lines(id));
        scroll.validate();
        var bar = scroll.getVerticalScrollBar();
        bar.setValue(bar.getMinimum());
    }

    /** How far below the top of conversation {@code id}'s view line {@code sequence} starts, in pixels (on the event thread). */
    private double offsetInView(long id, long sequence) throws BadLocationException {
        var pane = lines(id);
        var root = pane.getDocument().getDefaultRootElement();
        for (int i = 0; i < root.getElementCount(); i++) {
            var paragraph = root.getElement(i);
            var matcher = NUMBERED.matcher(pane.getDocument().getText(paragraph.getStartOffset(),
                    paragraph.getEndOffset() - paragraph.getStartOffset()));
            if (matcher.find() && Long.parseLong(matcher.group(1)) == sequence) {
                return pane.modelToView2D(paragraph.getStartOffset()).getY() - pane.getVisibleRect().y;
            }
        }
        throw new AssertionError("line " + sequence + " is not shown");
    }

    /** The number of the last message in conversation {@code id}'s view (the document ends with an empty paragraph). */
    private int lastLineInView(long id) throws BadLocationException {
        var pane = lines(id);
        var view = pane.getVisibleRect();
        var root = pane.getDocument().getDefaultRootElement();
        int bottom = pane.viewToModel2D(new Point(view.x + 1, view.y + view.height - 2));
        for (int index = root.getElementIndex(bottom); index >= 0; index--) {
            var paragraph = root.getElement(index);
            var matcher = NUMBERED.matcher(pane.getDocument().getText(paragraph.getStartOffset(),
                    paragraph.getEndOffset() - paragraph.getStartOffset()));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        return -1;
    }

    private static <T> T onEdt(Callable<T> reading) throws Exception {
        var result = new AtomicReference<T>();
        var failure = new AtomicReference<Exception>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                result.set(reading.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /** Waits until {@code condition}, read on the event thread, holds. */
    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(onEdt(condition))) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        throw new AssertionError(what + ": not within " + TIMEOUT.toSeconds() + " s");
    }
}
