package dev.parley.gui;

import javax.swing.DefaultListCellRenderer;
import javax.swing.JList;
import javax.swing.UIManager;
import java.awt.Color;
import java.awt.Component;

/** Draws a buddy as a coloured dot, the name and the status; an away buddy's dot is amber and the text muted. */
final class BuddyRenderer extends DefaultListCellRenderer {

    private static final Color PRESENT = new Color(0x2E, 0xA0, 0x43);
    private static final Color AWAY = new Color(0xE0, 0x9B, 0x1A);

    @Override
    public Component getListCellRendererComponent(JList<?> list, Object value, int index, boolean selected,
            boolean focused) {
        var buddy = (Buddy) value;
        String dot = "<font color='" + hex(buddy.away() ? AWAY : PRESENT) + "'>●</font>";
        super.getListCellRendererComponent(list, "<html>" + dot + "&nbsp;&nbsp;<b>" + Html.escape(buddy.name())
                + "</b>&nbsp;&nbsp;" + Html.escape(buddy.status()) + "</html>", index, selected, focused);
        if (buddy.away() && !selected) {
            setForeground(UIManager.getColor("Label.disabledForeground"));
        }
        return this;
    }

    private static String hex(Color color) {
        return String.format("#%02x%02x%02x", color.getRed(), color.getGreen(), color.getBlue());
    }
}
