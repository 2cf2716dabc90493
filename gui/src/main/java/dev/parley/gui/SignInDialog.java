package dev.parley.gui;

import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JDialog;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JPasswordField;
import javax.swing.JTextField;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import java.awt.BorderLayout;
import java.awt.FlowLayout;
import java.awt.Frame;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.awt.event.KeyEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The sign-in dialog: server, transport, TLS trust file, user, password and initial status. On
 * "Sign in" it hands a {@link SignIn} to the given function, which signs in off the event-dispatch
 * thread; a failure is shown in the dialog, in words, with every field kept. Escape cancels.
 * Created and used on the event-dispatch thread.
 */
final class SignInDialog extends JDialog {

    private final JTextField server = field("server", 22);
    private final JComboBox<String> transport = new JComboBox<>(new String[] {"tcp", "udp"});
    private final JTextField tlsTrust = field("tlsTrust", 22);
    private final JTextField user = field("user", 22);
    private final JPasswordField password = new JPasswordField(22);
    private final JComboBox<String> status = new JComboBox<>(new String[] {"online", "away", "busy"});
    private final JLabel error = new JLabel(" ");
    private final JButton signIn = new JButton("Sign in");
    private final SignInSettings settings;
    private final Function<SignIn, CompletableFuture<Void>> signer;
    private final Runnable onSignedIn;

    /**
     * @param signer     signs in, off the event-dispatch thread; its future fails with the reason in words
     * @param onSignedIn run on the event-dispatch thread once signed in, after the dialog is gone
     * @param onCancel   run when the dialog is cancelled
     */
    SignInDialog(SignInSettings settings, Function<SignIn, CompletableFuture<Void>> signer, Runnable onSignedIn,
            Runnable onCancel) {
        super((Frame) null, "Parley — sign in", false);
        this.settings = settings;
        this.signer = signer;
        this.onSignedIn = onSignedIn;
        setName("signInDialog");
        setDefaultCloseOperation(DISPOSE_ON_CLOSE);

        server.setText(settings.get("server", "localhost:6666"));
        transport.setName("transport");
        transport.setSelectedItem(settings.get("transport", "tcp"));
        tlsTrust.setText(settings.get("tlsTrust", ""));
        tlsTrust.setToolTipText("PEM certificates to trust; empty for no TLS (TLS works over tcp only)");
        user.setText(settings.get("user", System.getProperty("user.name", "")));
        password.setName("password");
        password.setToolTipText("only where the server keeps accounts");
        server.setToolTipText("host:port, or several separated by commas, tried in turn");
        status.setName("status");
        status.setEditable(true);
        status.setSelectedItem(settings.get("status", "online"));
        error.setName("error");
        error.setForeground(UIManager.getColor("Actions.Red"));

        var browse = new JButton("Browse…");
        browse.setName("browse");
        browse.setMnemonic(KeyEvent.VK_B);
        browse.addActionListener(event -> {
            var chooser = new JFileChooser();
            if (chooser.showOpenDialog(this) == JFileChooser.APPROVE_OPTION) {
                tlsTrust.setText(chooser.getSelectedFile().getPath());
            }
        });

        var form = new JPanel(new GridBagLayout());
        form.setBorder(BorderFactory.createEmptyBorder(16, 16, 8, 16));
        row(form, 0, "Server:", KeyEvent.VK_E, server, null);
        row(form, 1, "Transport:", KeyEvent.VK_T, transport, null);
        row(form, 2, "TLS trust file:", KeyEvent.VK_L, tlsTrust, browse);
        row(form, 3, "User:", KeyEvent.VK_U, user, null);
        row(form, 4, "Password:", KeyEvent.VK_P, password, null);
        row(form, 5, "Status:", KeyEvent.VK_A, status, null);
        var place = new GridBagConstraints();
        place.gridx = 0;
        place.gridy = 6;
        place.gridwidth = 3;
        place.fill = GridBagConstraints.HORIZONTAL;
        place.insets = new Insets(8, 0, 0, 0);
        form.add(error, place);

        signIn.setName("signIn");
        signIn.setMnemonic(KeyEvent.VK_S);
        signIn.addActionListener(event -> submit());
        var cancel = new JButton("Cancel");
        cancel.setName("cancel");
        cancel.addActionListener(event -> {
            dispose();
            onCancel.run();
        });
        var buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT));
        buttons.add(signIn);
        buttons.add(cancel);

        getContentPane().add(form, BorderLayout.CENTER);
        getContentPane().add(buttons, BorderLayout.SOUTH);
        getRootPane().setDefaultButton(signIn);
        getRootPane().registerKeyboardAction(event -> cancel.doClick(), KeyStroke.getKeyStroke(KeyEvent.VK_ESCAPE, 0),
                JComponent.WHEN_IN_FOCUSED_WINDOW);
        pack();
        setLocationRelativeTo(null);
    }

    private void submit() {
        String trust = tlsTrust.getText().strip();
        var request = new SignIn(server.getText(), (String) transport.getSelectedItem(),
                trust.isEmpty() ? null : Path.of(trust), user.getText(), new String(password.getPassword()),
                String.valueOf(status.getSelectedItem()));
        if (request.user().isBlank()) {
            showError("Enter a user name.");
            user.requestFocusInWindow();
            return;
        }
        signIn.setEnabled(false);
        error.setText("Signing in…");
        signer.apply(request).whenComplete((done, failure) -> SwingUtilities.invokeLater(() -> {
            if (failure == null) {
                try {
                    settings.remember(request);
                } catch (IOException e) {
                    // Not remembering the server is no reason to refuse the sign-in.
                }
                dispose();
                onSignedIn.run();
            } else {
                signIn.setEnabled(true);
                showError((failure.getCause() != null ? failure.getCause() : failure).getMessage());
            }
        }));
    }

    private void showError(String text) {
        error.setText("<html><body style='width: 320px'>" + Html.escape(text) + "</body></html>");
        pack();
    }

    private static JTextField field(String name, int columns) {
        var field = new JTextField(columns);
        field.setName(name);
        return field;
    }

    private static void row(JPanel form, int y, String label, int mnemonic, JComponent field, JComponent extra) {
        var text = new JLabel(label);
        text.setDisplayedMnemonic(mnemonic);
        text.setLabelFor(field);
        var place = new GridBagConstraints();
        place.gridy = y;
        place.insets = new Insets(4, 0, 4, 8);
        place.anchor = GridBagConstraints.LINE_END;
        form.add(text, place);
        place.gridx = 1;
        place.anchor = GridBagConstraints.LINE_START;
        place.fill = GridBagConstraints.HORIZONTAL;
        place.weightx = 1;
        form.add(field, place);
        if (extra != null) {
            place.gridx = 2;
            place.weightx = 0;
            place.insets = new Insets(4, 4, 4, 0);
            form.add(extra, place);
        }
    }
}
