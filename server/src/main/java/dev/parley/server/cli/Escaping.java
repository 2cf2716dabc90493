package dev.parley.server.cli;

import java.util.regex.Pattern;

/**
 * Keeps text from other users on one line of output: whatever they send, it cannot start a line of
 * its own, so a script reading {@code parley chat} cannot be fooled by a forged event. Stateless.
 */
final class Escaping {

    private static final Pattern PLAIN_TOKEN = Pattern.compile("[^\\s\"=\\\\\\p{Cntrl}]+");

    private Escaping() {
    }

    /**
     * {@code value} with backslashes doubled and control characters written as escapes
     * ({@code \n}, {@code \t}, {@code \r}, or {@code \}{@code uXXXX}).
     */
    static String text(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.chars().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        });
        return out.toString();
    }

    /**
     * {@code value} as one whitespace-free token: as it is if it has no spaces, quotes, equals
     * signs, backslashes or control characters; otherwise in double quotes, escaped as {@link #text}.
     */
    static String token(String value) {
        if (PLAIN_TOKEN.matcher(value).matches()) {
            return value;
        }
        return '"' + text(value).replace("\"", "\\\"") + '"';
    }
}
