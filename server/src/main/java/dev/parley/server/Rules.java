package dev.parley.server;

import java.util.Locale;

/** Checks usernames, statuses and texts against {@link ServerOptions}. Immutable and thread-safe. */
final class Rules {

    /** How much of a rejected value an error message repeats. */
    private static final int ECHO_LIMIT = 40;

    private final ServerOptions options;

    Rules(ServerOptions options) {
        this.options = options;
    }

    /** The key a username is unique under: case does not count. */
    static String key(String username) {
        return username.toLowerCase(Locale.ROOT);
    }

    /**
     * The name with ASCII look-alikes folded together, so that one user cannot pass for another:
     * case, {@code rn} and {@code m}, {@code vv} and {@code w}, {@code 0} and {@code o}, and
     * {@code 1}, {@code i} and {@code l}. Two users online never share one.
     */
    static String lookAlike(String username) {
        String folded = key(username).replace("rn", "m").replace("vv", "w");
        var skeleton = new StringBuilder(folded.length());
        for (char c : folded.toCharArray()) {
            skeleton.append(switch (c) {
                case '0' -> 'o';
                case '1', 'i' -> 'l';
                default -> c;
            });
        }
        return skeleton.toString();
    }

    void checkUsername(String username) throws Refusal {
        boolean valid = !username.isEmpty() && username.length() <= options.maxUsernameLength()
                && username.chars().allMatch(Rules::isUsernameChar);
        if (!valid) {
            throw new Refusal(Refusal.Cause.INVALID,
                    "invalid username '" + echo(username) + "': use 1 to " + options.maxUsernameLength()
                    + " letters, digits, '_', '.' or '-'");
        }
    }

    void checkStatus(String status) throws Refusal {
        if (status.isEmpty() || status.length() > options.maxStatusLength()
                || status.chars().anyMatch(Character::isISOControl)) {
            throw new Refusal(Refusal.Cause.INVALID, "invalid status: use 1 to " + options.maxStatusLength()
                    + " characters, no control characters");
        }
    }

    void checkText(String text) throws Refusal {
        if (text.isBlank()) {
            throw new Refusal(Refusal.Cause.INVALID, "empty message");
        }
        if (text.length() > options.maxTextLength()) {
            throw new Refusal(Refusal.Cause.INVALID, "message too long: " + text.length() + " characters (at most "
                    + options.maxTextLength() + ")");
        }
    }

    /** {@code value} cut short enough to repeat in an error message. */
    static String echo(String value) {
        return value.length() <= ECHO_LIMIT ? value : value.substring(0, ECHO_LIMIT) + "...";
    }

    private static boolean isUsernameChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '.' || c == '-';
    }
}
