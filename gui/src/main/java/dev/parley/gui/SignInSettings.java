package dev.parley.gui;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the sign-in dialog remembers between runs (server, transport, TLS trust file, user name,
 * status; never the password), in a properties file. Reading a missing or unreadable file gives
 * empty settings. Used on the event-dispatch thread.
 */
public final class SignInSettings {

    private final Path file;
    private final Properties values = new Properties();

    private SignInSettings(Path file) {
        this.file = file;
    }

    /** The settings kept in {@code file}, or none yet. */
    public static SignInSettings load(Path file) {
        var settings = new SignInSettings(file);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            settings.values.load(reader);
        } catch (NoSuchFileException e) {
            // First run: nothing remembered yet.
        } catch (IOException | IllegalArgumentException e) {
            // A damaged file is forgotten, not fatal: the dialog shows its defaults.
            settings.values.clear();
        }
        return settings;
    }

    /** Where settings live by default: {@code ~/.config/parley/gui.properties}. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".config", "parley", "gui.properties");
    }

    public String get(String key, String otherwise) {
        return values.getProperty(key, otherwise);
    }

    /** Remembers what {@code signIn} used, except its password. */
    public void remember(SignIn signIn) throws IOException {
        values.setProperty("server", signIn.server());
        values.setProperty("transport", signIn.transport());
        values.setProperty("tlsTrust", signIn.tlsTrust() == null ? "" : signIn.tlsTrust().toString());
        values.setProperty("user", signIn.user());
        values.setProperty("status", signIn.status());
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            values.store(writer, "parley gui: the last sign-in");
        }
    }
}
