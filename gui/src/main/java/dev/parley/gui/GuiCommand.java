package dev.parley.gui;

import dev.parley.server.cli.ParleyExtension;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code parley gui}: the desktop chat client; with {@code --screenshot DIR}, writes PNG pictures
 * of its windows instead (no display needed). Found by {@code parley} through
 * {@link java.util.ServiceLoader} as a {@link ParleyExtension}. The calling thread waits until the
 * user closes the main window; the windows run on the event-dispatch thread.
 */
@Command(name = "gui", mixinStandardHelpOptions = true,
        description = "Chat in a window: buddy list, conversations, light and dark.")
public final class GuiCommand implements ParleyExtension, Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--dark", description = "the dark look")
    private boolean dark;

    @Option(names = "--settings", paramLabel = "FILE",
            description = "where the sign-in is remembered (default: ~/.config/parley/gui.properties)")
    private Path settings;

    @Option(names = "--screenshot", paramLabel = "DIR",
            description = "write PNG pictures of the main window and a conversation, light and dark, into DIR and exit")
    private Path screenshots;

    @Override
    public Object command() {
        return this;
    }

    @Override
    public Integer call() throws IOException {
        var err = spec.commandLine().getErr();
        if (screenshots != null) {
            for (Path written : Screenshots.write(screenshots)) {
                spec.commandLine().getOut().println("wrote " + written);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (GraphicsEnvironment.isHeadless()) {
            err.println("parley gui: no display to open a window on (is DISPLAY set?); --screenshot works without one");
            err.flush();
            return 2;
        }
        ParleyGui.lookAndFeel(dark);
        ParleyGui.open(SignInSettings.load(settings == null ? SignInSettings.defaultFile() : settings)).closed().join();
        return 0;
    }
}
