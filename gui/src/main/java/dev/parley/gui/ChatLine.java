package dev.parley.gui;

import java.time.Instant;
import java.util.Objects;

/**
 * One message as a conversation shows it.
 *
 * @param sequence the server's number for it, or 0 where the server numbers no messages
 * @param time     when the server stamped it, or when it arrived where the server stamps none
 * @param own      true if this user sent it
 */
public record ChatLine(long sequence, String sender, String text, Instant time, boolean own) {

    public ChatLine {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
    }
}
