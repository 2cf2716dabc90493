package dev.parley.gui;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.awt.GraphicsEnvironment;
import java.util.Objects;

/**
 * Whether the real-window tests can have a display: the build starts their JVM under
 * {@code src/test/xvfb/bin/java}, which gives it one when Xvfb is installed. Without one they skip,
 * saying why, except under {@code CI=true}, where they fail.
 */
final class Display {

    private Display() {
    }

    /** Returns if there is a display; otherwise aborts the test (or fails it under CI) with the reason. */
    static void required() {
        if (!GraphicsEnvironment.isHeadless()) {
            return;
        }
        String why = Objects.requireNonNullElse(System.getenv("PARLEY_GUI_NO_DISPLAY"),
                "AWT is headless (no DISPLAY, or java.awt.headless=true)");
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true needs the real-window tests to run, but there is no display: " + why);
        }
        Assumptions.abort("no display for real windows: " + why);
    }
}
