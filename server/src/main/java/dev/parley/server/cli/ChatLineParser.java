package dev.parley.server.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * Turns a line typed into {@code parley chat} into a {@link ChatLine}. Total: any string, however
 * odd, gives a {@link ChatLine} (an {@link ChatLine.Invalid} saying what is wrong) and never an
 * exception. Stateless and thread-safe.
 */
final class ChatLineParser {

    /** The commands, with what {@code /help} says of them. */
    private enum Command {
        INVITE("/invite USER...", "start a conversation with these users (you are in it)"),
        JOIN("/join ID", "join conversation ID"),
        SAY("/say ID TEXT...", "post TEXT to conversation ID"),
        HISTORY("/history ID [N]", "show the newest N messages of conversation ID (default " + ChatLineParser.HISTORY_COUNT
                + ")"),
        LIST("/list", "list the ongoing conversations and their members"),
        STATUS("/status STATUS...", "change your status, for example: /status away"),
        LEAVE("/leave ID", "leave conversation ID"),
        QUIT("/quit", "say goodbye and exit (the end of the input does the same)"),
        HELP("/help", "show this list");

        final String synopsis;
        final String description;

        Command(String synopsis, String description) {
            this.synopsis = synopsis;
            this.description = description;
        }

        ChatLine.Invalid usage() {
            return new ChatLine.Invalid("usage: " + synopsis);
        }
    }

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** How many messages {@code /history} shows unless told. */
    static final int HISTORY_COUNT = 20;

    private ChatLineParser() {
    }

    /** What {@code /help} prints, one command per line. */
    static List<String> help() {
        return Arrays.stream(Command.values())
                .map(command -> String.format("%-20s%s", command.synopsis, command.description))
                .toList();
    }

    static ChatLine parse(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return new ChatLine.Blank();
        }
        if (!trimmed.startsWith("/")) {
            return new ChatLine.Invalid("not a command: commands start with /, for example /say 1 hello; /help lists them");
        }
        String[] headAndRest = WHITESPACE.split(trimmed, 2);
        String rest = headAndRest.length > 1 ? headAndRest[1] : "";
        return switch (headAndRest[0].toLowerCase(Locale.ROOT)) {
            case "/invite" -> rest.isEmpty() ? Command.INVITE.usage() : new ChatLine.Invite(List.of(WHITESPACE.split(rest)));
            case "/join" -> withId(rest, Command.JOIN, ChatLine.Join::new);
            case "/say" -> say(rest);
            case "/history" -> history(rest);
            case "/list" -> rest.isEmpty() ? new ChatLine.ListConversations() : Command.LIST.usage();
            case "/status" -> rest.isEmpty() ? Command.STATUS.usage() : new ChatLine.Status(rest);
            case "/leave" -> withId(rest, Command.LEAVE, ChatLine.Leave::new);
            case "/quit" -> rest.isEmpty() ? new ChatLine.Quit() : Command.QUIT.usage();
            case "/help" -> new ChatLine.Help();
            default -> new ChatLine.Invalid("unknown command " + Escaping.text(headAndRest[0]) + "; /help lists them");
        };
    }

    private static ChatLine say(String rest) {
        String[] idAndText = WHITESPACE.split(rest, 2);
        Long id = conversationId(idAndText[0]);
        return id == null || idAndText.length < 2 ? Command.SAY.usage() : new ChatLine.Say(id, idAndText[1]);
    }

    private static ChatLine history(String rest) {
        String[] words = WHITESPACE.split(rest);
        Long id = conversationId(words[0]);
        if (id == null || words.length > 2) {
            return Command.HISTORY.usage();
        }
        if (words.length == 1) {
            return new ChatLine.ShowHistory(id, HISTORY_COUNT);
        }
        try {
            int count = Integer.parseInt(words[1]);
            return count < 1 ? Command.HISTORY.usage() : new ChatLine.ShowHistory(id, count);
        } catch (NumberFormatException e) {
            return Command.HISTORY.usage();
        }
    }

    private static ChatLine withId(String rest, Command command, LongFunction<ChatLine> create) {
        Long id = conversationId(rest);
        return id == null ? command.usage() : create.apply(id);
    }

    /** The conversation id {@code word} spells, or null if it is not a number. */
    private static Long conversationId(String word) {
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
