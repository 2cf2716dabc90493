package dev.parley.gui;

import dev.parley.im.Invitation;
import org.junit.jupiter.api.Test;

import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A busy main window on a real display: 500 buddies whose statuses keep changing and 50 open
 * conversations with messages arriving, fed to the model the way {@link ImSession} feeds it (each
 * event handed to the event-dispatch thread with {@code invokeLater} from a thread of its own). A
 * {@link SlowEdtDetector} measures how long the event-dispatch thread is ever busy with one event.
 */
class BusyWindowTest {

    private static final int BUDDIES = 500;
    private static final int CONVERSATIONS = 50;
    private static final int MESSAGES_EACH = 40;
    private static final int STATUS_CHANGES = 1_000;
    /** A frame at 60 Hz: an event longer than this is a stutter. */
    private static final long FRAME_MILLIS = 17;
    /**
     * The most CPU time one event may take. CPU time, not wall-clock time: on a loaded 2-core CI
     * machine an event may wait for a core for longer than any work the window does. Allowing more
     * than a frame leaves room for the JIT and GC.
     */
    private static final long LONGEST_ALLOWED_MILLIS = 100;

    @Test
    void staysResponsiveWithFiveHundredBuddiesAndFiftyConversationsAndLosesNothing() throws Exception {
        Display.required();
        var model = new ChatModel();
        var frames = new JFrame[1];
        try (var session = new ImSession(model, SwingUtilities::invokeLater, Clock.systemUTC())) {
            SwingUtilities.invokeAndWait(() -> {
                ParleyGui.lookAndFeel(false);
                model.connected("me");
                frames[0] = new JFrame("busy");
                frames[0].setContentPane(new MainPanel(model, session, ZoneOffset.UTC));
                frames[0].setSize(1000, 700);
                frames[0].setVisible(true);
            });
            // The first paint loads the look and feel's classes and fonts: done before measuring.
            SwingUtilities.invokeAndWait(() -> {
                var content = (JComponent) frames[0].getContentPane();
                content.paintImmediately(content.getBounds());
            });
            try (var detector = SlowEdtDetector.install(FRAME_MILLIS)) {
                var everyone = new HashMap<String, String>();
                everyone.put("me", "online");
                for (int i = 0; i < BUDDIES; i++) {
                    everyone.put("user" + i, "online");
                }
                var snapshot = Map.copyOf(everyone);
                SwingUtilities.invokeLater(() -> model.onlineUsers(snapshot));
                for (long id = 1; id <= CONVERSATIONS; id++) {
                    var invitation = new Invitation(id, "user" + id);
                    SwingUtilities.invokeLater(() -> model.invited(invitation));
                    long joined = id;
                    SwingUtilities.invokeLater(() -> model.joined(joined));
                }
                for (int i = 0; i < Math.max(STATUS_CHANGES, CONVERSATIONS * MESSAGES_EACH); i++) {
                    if (i < STATUS_CHANGES) {
                        var change = Map.of("user" + (i % BUDDIES), i % 2 == 0 ? "away" : "online");
                        SwingUtilities.invokeLater(() -> model.onlineChanged(change, Set.of()));
                    }
                    if (i < CONVERSATIONS * MESSAGES_EACH) {
                        long id = 1 + i % CONVERSATIONS;
                        var line = new ChatLine(0, "user" + id, "message " + i + " " + "with some words in it ".repeat(i % 7),
                                Instant.now(), false);
                        SwingUtilities.invokeLater(() -> model.message(id, line));
                    }
                }
                SwingUtilities.invokeAndWait(() -> {
                });

                System.out.printf("BusyWindowTest: %d events, longest %d ms wall-clock (%s), %d ms CPU; %d longer than %d ms%n",
                        detector.events(), detector.longestMillis(), detector.longestEvent(), detector.longestCpuMillis(),
                        detector.slowEvents(), FRAME_MILLIS);
                assertThat(detector.longestCpuMillis()).as("the most CPU time the event-dispatch thread spent on one event, ms")
                        .isLessThan(LONGEST_ALLOWED_MILLIS);
            }
            SwingUtilities.invokeAndWait(() -> {
                assertThat(model.buddies()).hasSize(BUDDIES);
                assertThat(model.conversations()).hasSize(CONVERSATIONS)
                        .allSatisfy(conversation -> assertThat(conversation.lines()).hasSize(MESSAGES_EACH));
                frames[0].dispose();
            });
        }
    }
}
