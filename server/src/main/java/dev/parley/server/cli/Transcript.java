package dev.parley.server.cli;

import dev.parley.im.ImEvent;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ScriptedClient;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * What a demo prints: {@code NAME > command} for what a user does (in {@code parley chat} syntax),
 * {@code NAME < event} for what a user sees (in {@link EventFormat}), and notes. Each step that
 * shows an event first awaits it, so a transcript is the same on every run. Used on one thread.
 */
final class Transcript {

    private final PrintWriter out;

    Transcript(PrintWriter out) {
        this.out = out;
    }

    /** A line of its own: a heading, or what happens outside the users' view. */
    void note(String text) {
        out.println(text);
        out.flush();
    }

    /** {@code client}'s user types {@code command}. */
    void does(ScriptedClient client, String command) {
        out.printf("%-5s > %s%n", client.username(), command);
        out.flush();
    }

    /** Awaits {@code client}'s next event of {@code type} that meets {@code which}, shows it and returns it. */
    <T extends ImEvent> T sees(ScriptedClient client, Class<T> type, Predicate<? super T> which) {
        T event = client.await(type, which);
        show(client, event);
        return event;
    }

    /** Shows {@code event} as seen by {@code client}'s user. */
    void show(ScriptedClient client, ImEvent event) {
        out.printf("%-5s < %s%n", client.username(), EventFormat.line(event));
        out.flush();
    }

    /**
     * {@code inviter} invites {@code invited} to a new conversation; everyone sees the invitation,
     * then each invited user joins. Returns the conversation's id.
     */
    long startConversation(ScriptedClient inviter, ScriptedClient... invited) throws IOException {
        String[] names = Arrays.stream(invited).map(ScriptedClient::username).toArray(String[]::new);
        does(inviter, "/invite " + String.join(" ", names));
        inviter.client().invite(names);
        long id = sees(inviter, Invitation.class, invitation -> true).conversationId();
        for (ScriptedClient user : invited) {
            sees(user, Invitation.class, invitation -> invitation.conversationId() == id);
        }
        for (ScriptedClient user : invited) {
            does(user, "/join " + id);
            user.client().join(id);
            user.sync();
        }
        return id;
    }

    /** {@code sender} posts {@code text} in conversation {@code id}; every one of {@code members} sees it. */
    void say(ScriptedClient sender, long id, String text, ScriptedClient... members) throws IOException {
        does(sender, "/say " + id + " " + text);
        sender.client().send(id, text);
        for (ScriptedClient member : members) {
            sees(member, Message.class, message -> message.text().equals(text));
        }
    }
}
