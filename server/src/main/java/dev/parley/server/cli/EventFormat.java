package dev.parley.server.cli;

import dev.parley.im.Conversations;
import dev.parley.im.Error;
import dev.parley.im.History;
import dev.parley.im.ImEvent;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.OnlineUsersChanged;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes each event from the server as one stable, greppable line, the format {@code parley chat}
 * prints and scripts read:
 *
 * <pre>
 * online alice=online bob=away carol="be right back"
 * online +dave=online +bob=back -carol
 * invited 3 by alice
 * message 3 #1 alice: hello there
 * history 3 kept 1-20: 2 messages
 * message 3 #19 bob: hi
 * message 3 #20 alice: bye
 * conversations 3=[alice, bob] 4=[carol]
 * conversations none
 * error Join: unknown conversation 9
 * </pre>
 *
 * A whole online list names every user with their status; a change names those now online with
 * {@code +} and their status, then those gone with {@code -} ({@code online unchanged} if none).
 * A message names its conversation, its sequence number, its sender and its text; a page of
 * history says which numbers the server keeps, then has a message line for each message in it.
 * Users are sorted by name ignoring case, conversations by id. Statuses with spaces are quoted;
 * texts from other users are escaped (see {@link Escaping}) so no line is forged. Stateless.
 */
final class EventFormat {

    private static final Comparator<String> BY_NAME =
            String.CASE_INSENSITIVE_ORDER.thenComparing(Comparator.naturalOrder());

    private EventFormat() {
    }

    static String line(ImEvent event) {
        return switch (event) {
            case OnlineUsers online -> "online " + users(online.users(), "")
                    .collect(Collectors.joining(" "));
            case OnlineUsersChanged changed -> changed.online().isEmpty() && changed.offline().isEmpty()
                    ? "online unchanged"
                    : "online " + Stream.concat(users(changed.online(), "+"),
                            changed.offline().stream().sorted(BY_NAME).map(user -> "-" + Escaping.token(user)))
                            .collect(Collectors.joining(" "));
            case Invitation invitation -> "invited " + invitation.conversationId() + " by "
                    + Escaping.token(invitation.inviter());
            case Message message -> "message " + message.conversationId() + " #" + message.sequence() + " "
                    + Escaping.token(message.sender()) + ": " + Escaping.text(message.text());
            case History history -> Stream.concat(Stream.of("history " + history.conversationId() + " kept "
                            + history.firstSequence() + "-" + history.lastSequence() + ": "
                            + history.messages().size() + " messages"),
                    history.messages().stream().map(EventFormat::line)).collect(Collectors.joining("\n"));
            case Conversations conversations -> conversations.conversations().isEmpty()
                    ? "conversations none"
                    : "conversations " + new TreeMap<>(conversations.conversations()).entrySet().stream()
                            .map(c -> c.getKey() + "=[" + c.getValue().stream().map(Escaping::token)
                                    .collect(Collectors.joining(", ")) + "]")
                            .collect(Collectors.joining(" "));
            case Error error -> "error " + (error.request().isEmpty() ? "" : Escaping.token(error.request()) + ": ")
                    + Escaping.text(error.message());
        };
    }

    /** Each of {@code users} as {@code PREFIXname=status}, sorted by name. */
    private static Stream<String> users(Map<String, String> users, String prefix) {
        return users.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(BY_NAME))
                .map(user -> prefix + Escaping.token(user.getKey()) + "=" + Escaping.token(user.getValue()));
    }
}
