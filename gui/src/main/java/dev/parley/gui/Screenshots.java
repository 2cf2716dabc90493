package dev.parley.gui;

import dev.parley.im.Invitation;

import javax.imageio.ImageIO;
import javax.swing.JComponent;
import java.awt.Component;
import java.awt.Container;
import java.awt.Dimension;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Draws the main window and a conversation, light and dark, into PNG files, from a model filled
 * with a made-up chat: no server and no display are needed (the panels are laid out and painted
 * into images, never shown). Runs on the calling thread, which must be the only one touching Swing
 * meanwhile.
 */
final class Screenshots {

    private static final Dimension MAIN = new Dimension(1000, 620);
    private static final Dimension CONVERSATION = new Dimension(560, 420);
    private static final Instant NOON = Instant.parse("2026-12-04T12:00:00Z");

    private Screenshots() {
    }

    /** Writes {@code main-light.png}, {@code main-dark.png}, {@code conversation-light.png} and {@code conversation-dark.png} into {@code dir}. */
    static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        var written = new ArrayList<Path>();
        for (boolean dark : new boolean[] {false, true}) {
            ParleyGui.lookAndFeel(dark);
            String theme = dark ? "dark" : "light";
            var model = demo();
            try (var session = new ImSession(model, Runnable::run, Clock.systemUTC())) {
                var main = new MainPanel(model, session, ZoneOffset.UTC);
                main.show(2);
                written.add(draw(main, MAIN, dir.resolve("main-" + theme + ".png")));
                var conversation = new ConversationPanel(model.conversation(2), model.me(), ZoneOffset.UTC, session);
                written.add(draw(conversation, CONVERSATION, dir.resolve("conversation-" + theme + ".png")));
            }
        }
        return written;
    }

    /** Alice's view of a lively afternoon: buddies here and away, an invitation, two conversations. */
    private static ChatModel demo() {
        var model = new ChatModel();
        model.connected("alice");
        model.onlineUsers(Map.of("alice", "online", "bob", "online", "carol", "away", "dmitri", "online",
                "emi", "in a meeting", "farah", "online"));
        model.onlineChanged(Map.of("gustav", "idle"), Set.of());
        model.ongoing(Map.of(1L, List.of("alice", "farah"), 2L, List.of("alice", "bob", "dmitri", "emi"),
                5L, List.of("carol", "gustav")));
        model.joined(1);
        model.joined(2);
        model.inView(2);
        model.message(1, line(0, "farah", "Lunch at one?", false));
        model.message(1, line(1, "farah", "The new place on the corner ☀", false));
        model.message(2, line(2, "bob", "Morning all! The release notes are up for review.", false));
        model.message(2, line(3, "alice", "Thanks Bob, reading them now ✓", true));
        model.message(2, line(4, "dmitri", "Привет! Один вопрос: the UDP section says the window is 64 packets — "
                + "is that still true after this week's change, or did it grow with the new congestion control?", false));
        model.message(2, line(6, "emi", "Καλημέρα! Lots of meetings today, I'll read it later ☕", false));
        model.message(2, line(7, "alice", "It grew: 256 now. I'll fix the notes.\nAnd add a line on retransmits.", true));
        model.message(2, line(8, "bob", "Great ☺", false));
        model.invited(new Invitation(6, "carol"));
        return model;
    }

    private static ChatLine line(int minutes, String sender, String text, boolean own) {
        return new ChatLine(0, sender, text, NOON.plusSeconds(60L * minutes), own);
    }

    private static Path draw(JComponent component, Dimension size, Path file) throws IOException {
        component.setSize(size);
        layOut(component);
        // A second pass: text panes know their height only once their width is set.
        layOut(component);
        var image = new BufferedImage(size.width, size.height, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        try {
            graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_LCD_HRGB);
            graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            component.printAll(graphics);
        } finally {
            graphics.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static void layOut(Component component) {
        if (component instanceof Container container) {
            container.doLayout();
            for (Component child : container.getComponents()) {
                layOut(child);
            }
        }
    }
}
