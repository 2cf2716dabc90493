package dev.parley.gui;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.swing.SwingUtilities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code parley gui --screenshot DIR}: pictures drawn without showing a window (with or without a display). */
class ScreenshotsTest {

    @Test
    void drawsTheMainWindowAndAConversationLightAndDark(@TempDir Path dir) throws Exception {
        var written = new ArrayList<Path>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                written.addAll(Screenshots.write(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        assertThat(written).extracting(path -> path.getFileName().toString()).containsExactlyInAnyOrder(
                "main-light.png", "conversation-light.png", "main-dark.png", "conversation-dark.png");
        var light = ImageIO.read(dir.resolve("main-light.png").toFile());
        var dark = ImageIO.read(dir.resolve("main-dark.png").toFile());
        assertThat(List.of(light.getWidth(), light.getHeight())).containsExactly(1000, 620);
        // The window's background, top right: light is light, dark is dark.
        assertThat(brightness(light.getRGB(990, 5))).isGreaterThan(180);
        assertThat(brightness(dark.getRGB(990, 5))).isLessThan(90);
    }

    private static int brightness(int rgb) {
        return (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3;
    }
}
