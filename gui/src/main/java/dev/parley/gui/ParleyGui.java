package dev.parley.gui;

import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLightLaf;

import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import java.awt.Dimension;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;

/**
 * One desktop client: the sign-in dialog, then the main window, with its own {@link ChatModel} and
 * {@link ImSession}. Several may run in one JVM (the tests run two). {@link #open} may be called
 * from any thread; the windows live on the event-dispatch thread.
 */
public final class ParleyGui {

    private final ChatModel model = new ChatModel();
    private final ImSession session = new ImSession(model, SwingUtilities::invokeLater, Clock.systemDefaultZone());
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private JFrame frame;

    private ParleyGui() {
    }

    /** Installs FlatLaf, light or dark, for every window made after. Call before {@link #open}. */
    public static void lookAndFeel(boolean dark) {
        if (dark) {
            FlatDarkLaf.setup();
        } else {
            FlatLightLaf.setup();
        }
    }

    /** Shows the sign-in dialog with what {@code settings} remembers; the main window follows once signed in. */
    public static ParleyGui open(SignInSettings settings) {
        var gui = new ParleyGui();
        SwingUtilities.invokeLater(() -> new SignInDialog(settings, gui.session::signIn, gui::showMain, gui::close)
                .setVisible(true));
        return gui;
    }

    /** Completes once the user has closed the main window or cancelled the sign-in. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    private void showMain() {
        frame = new JFrame("Parley — " + model.me());
        frame.setName("mainWindow-" + model.me());
        frame.setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
        frame.setContentPane(new MainPanel(model, session, ZoneId.systemDefault()));
        frame.setMinimumSize(new Dimension(640, 420));
        frame.setSize(new Dimension(960, 640));
        frame.setLocationByPlatform(true);
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent event) {
                close();
            }
        });
        frame.setVisible(true);
    }

    private void close() {
        session.close();
        closed.complete(null);
    }
}
