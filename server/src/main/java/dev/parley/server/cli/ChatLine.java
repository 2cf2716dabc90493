package dev.parley.server.cli;

import java.util.List;

/** One line typed into {@code parley chat}, understood: a command, a blank line, or a mistake. */
sealed interface ChatLine {

    /** {@code /invite USER...}: start a conversation with these users. */
    record Invite(List<String> usernames) implements ChatLine {
        public Invite {
            usernames = List.copyOf(usernames);
        }
    }

    /** {@code /join ID}. */
    record Join(long conversationId) implements ChatLine {
    }

    /** {@code /say ID TEXT...}. */
    record Say(long conversationId, String text) implements ChatLine {
    }

    /** {@code /history ID [N]}: the newest {@code count} messages of conversation ID. */
    record ShowHistory(long conversationId, int count) implements ChatLine {
    }

    /** {@code /list}: ask for the ongoing conversations. */
    record ListConversations() implements ChatLine {
    }

    /** {@code /status STATUS...}. */
    record Status(String status) implements ChatLine {
    }

    /** {@code /leave ID}. */
    record Leave(long conversationId) implements ChatLine {
    }

    /** {@code /quit}: say goodbye and exit. */
    record Quit() implements ChatLine {
    }

    /** {@code /help}: list the commands. */
    record Help() implements ChatLine {
    }

    /** An empty or all-blank line: nothing to do. */
    record Blank() implements ChatLine {
    }

    /** A line that is not a valid command; {@code reason} says why, in one line. */
    record Invalid(String reason) implements ChatLine {
    }
}
