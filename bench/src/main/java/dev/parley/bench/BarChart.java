package dev.parley.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a grouped bar chart to PNG with Java2D: one group per contender, one bar per series, a
 * linear axis from zero, each bar labelled with its value. Headless; called on any one thread.
 *
 * @param title  the chart's title
 * @param unit   what the values measure, printed on the axis
 * @param series the name of each bar within a group
 * @param groups the values of each group, one per series, in series order
 */
record BarChart(String title, String unit, List<String> series, Map<String, double[]> groups) {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 520;
    private static final int LEFT = 70;
    private static final int TOP = 60;
    private static final int BOTTOM = 90;
    private static final Color[] COLORS = {new Color(0x3B6FB6), new Color(0xE07B39), new Color(0x5AA469), new Color(0x8E5EA2)};

    /** Writes the chart to {@code file} as PNG. */
    void writePng(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        var image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            draw(g);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }

    private void draw(Graphics2D g) {
        double max = groups.values().stream().flatMapToDouble(java.util.Arrays::stream).max().orElse(1);
        int plotHeight = HEIGHT - TOP - BOTTOM;
        int plotWidth = WIDTH - LEFT - 20;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(unit, 10, TOP - 10);
        g.setStroke(new BasicStroke(1));
        g.drawLine(LEFT, TOP, LEFT, TOP + plotHeight);
        g.drawLine(LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight);
        int groupWidth = plotWidth / Math.max(1, groups.size());
        int barWidth = (groupWidth - 20) / Math.max(1, series.size());
        int x = LEFT + 10;
        for (Map.Entry<String, double[]> group : groups.entrySet()) {
            double[] values = group.getValue();
            for (int s = 0; s < values.length; s++) {
                int height = (int) Math.round(values[s] / max * plotHeight);
                int barX = x + s * barWidth;
                g.setColor(COLORS[s % COLORS.length]);
                g.fillRect(barX, TOP + plotHeight - height, barWidth - 4, height);
                g.setColor(Color.DARK_GRAY);
                g.drawString(format(values[s]), barX, TOP + plotHeight - height - 4);
            }
            g.setColor(Color.BLACK);
            g.drawString(group.getKey(), x, TOP + plotHeight + 18);
            x += groupWidth;
        }
        for (int s = 0; s < series.size(); s++) {
            g.setColor(COLORS[s % COLORS.length]);
            g.fillRect(LEFT + s * 200, HEIGHT - 40, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s), LEFT + s * 200 + 20, HEIGHT - 28);
        }
    }

    private static String format(double value) {
        if (value >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", value / 1e6);
        }
        if (value >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", value / 1e3);
        }
        if (value >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
