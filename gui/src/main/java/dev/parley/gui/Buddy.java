package dev.parley.gui;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Someone online, with the status they chose. A status other than "online" or "available" (any
 * case) counts as away: the buddy list greys such a buddy out.
 */
public record Buddy(String name, String status) {

    private static final Set<String> PRESENT = Set.of("online", "available", "");

    public Buddy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
    }

    /** True if the status says the buddy is away, idle, busy or anything but present. */
    public boolean away() {
        return !PRESENT.contains(status.strip().toLowerCase(Locale.ROOT));
    }
}
