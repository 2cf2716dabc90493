package dev.parley.gui;

import javax.swing.DefaultListCellRenderer;
import javax.swing.Icon;
import javax.swing.JList;
import javax.swing.UIManager;
import java.awt.Color;
import java.awt.Component;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;

/**
 * Draws a buddy as a coloured dot, the name and the status; an away buddy's dot is amber and the
 * text muted. Plain text, not HTML: a list of hundreds of buddies is measured and drawn often.
 */
final class BuddyRenderer extends DefaultListCellRenderer {

    private static final Color PRESENT = new Color(0x2E, 0xA0, 0x43);
    private static final Color AWAY = new Color(0xE0, 0x9B, 0x1A);
    private static final Dot PRESENT_DOT = new Dot(PRESENT);
    private static final Dot AWAY_DOT = new Dot(AWAY);

    @Override
    public Component getListCellRendererComponent(JList<?> list, Object value, int index, boolean selected,
            boolean focused) {
        var buddy = (Buddy) value;
        super.getListCellRendererComponent(list, buddy.name() + "  ·  " + buddy.status(), index, selected, focused);
        setIcon(buddy.away() ? AWAY_DOT : PRESENT_DOT);
        setIconTextGap(8);
        if (buddy.away() && !selected) {
            setForeground(UIManager.getColor("Label.disabledForeground"));
        }
        return this;
    }

    /** A filled circle the height of a small letter. */
    private record Dot(Color color) implements Icon {
        private static final int SIZE = 9;

        @Override
        public void paintIcon(Component component, Graphics graphics, int x, int y) {
            var g = (Graphics2D) graphics.create();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(color);
                g.fillOval(x, y, SIZE, SIZE);
            } finally {
                g.dispose();
            }
        }

        @Override
        public int getIconWidth() {
            return SIZE;
        }

        @Override
        public int getIconHeight() {
            return SIZE;
        }
    }
}
