package dev.parley.gui;

import java.time.Instant;
import java.util.Objects;

/**
 * One message as a conversation shows it.
 *
 * @param sequence the server's number for it, or 0 for a notice
 * @param sender   who sent it, or empty for a notice of this client's (messages lost in a gap)
 * @param time     when the server stamped it, or when it arrived where the server stamps none
 * @param own      true if this user sent it
 */
public record ChatLine(long sequence, String sender, String text, Instant time, boolean own) {

    public ChatLine {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
    }

    /** A line that is not a message but a notice from this client, such as messages lost in a gap. */
    static ChatLine notice(String text, Instant time) {
        return new ChatLine(0, "", text, time, false);
    }

    public boolean isNotice() {
        return sender.isEmpty();
    }
}
