package dev.parley.chaos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records what happens to tagged messages during a test, from any number of threads, for the
 * {@link HistoryChecker}. A message's text starts with its tag, {@code sender#seq:}, so that a
 * receiver can say what it got:
 *
 * <pre>{@code
 * String text = History.tag("alice", 7) + "hello";   // "alice#7:hello"
 * history.sent("alice", 7);
 * client.send(conversation, text);
 * history.acknowledged("alice", 7);
 * // on bob's delivery thread:
 * History.parse(message.text()).ifPresent(tag -> history.received("bob", tag.sender(), tag.seq()));
 * assertThat(history.check(List.of("alice", "bob")).anomalies()).isEmpty();
 * }</pre>
 *
 * <p>Thread-safe: events from one thread keep their order, which is what per-sender order needs.
 */
public final class History {

    /** A message's (sender, seq). */
    public record Tag(String sender, long seq) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final List<HistoryEvent> events = new ArrayList<>();

    /** The prefix that tags a message text with its sender and seq. */
    public static String tag(String sender, long seq) {
        return sender + "#" + seq + ":";
    }

    /** The tag at the start of {@code text}, if it has one. */
    public static Optional<Tag> parse(String text) {
        int hash = text.indexOf('#');
        int colon = text.indexOf(':', hash + 1);
        if (hash <= 0 || colon < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Tag(text.substring(0, hash), Long.parseLong(text.substring(hash + 1, colon))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code sender} is about to send message {@code seq}. */
    public void sent(String sender, long seq) {
        add(new HistoryEvent(HistoryEvent.Kind.SENT, null, sender, seq));
    }

    /** The system took message {@code seq} of {@code sender}: it must now reach every receiver. */
    public void acknowledged(String sender, long seq) {
        add(new HistoryEvent(HistoryEvent.Kind.ACKNOWLEDGED, null, sender, seq));
    }

    /**
     * {@code receiver} got message {@code seq} of {@code sender}, numbered {@code position} in
     * conversation {@code conversationId} by the system: the checker then also checks that every
     * receiver saw one order per conversation, without gaps, each message under one number.
     */
    public void received(String receiver, String sender, long seq, long conversationId, long position) {
        add(new HistoryEvent(HistoryEvent.Kind.RECEIVED, receiver, sender, seq, conversationId, position));
    }

    /** {@code receiver} got message {@code seq} of {@code sender}. */
    public void received(String receiver, String sender, long seq) {
        add(new HistoryEvent(HistoryEvent.Kind.RECEIVED, receiver, sender, seq));
    }

    /** Every event so far, in the order recorded. */
    public List<HistoryEvent> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /** How many messages {@code receiver} has received so far. */
    public long receivedBy(String receiver) {
        return events().stream().filter(e -> receiver.equals(e.receiver())).count();
    }

    /** {@link HistoryChecker#check} of the events so far. */
    public Verdict check(Collection<String> receivers) {
        return HistoryChecker.check(events(), receivers);
    }

    private void add(HistoryEvent event) {
        lock.lock();
        try {
            events.add(event);
        } finally {
            lock.unlock();
        }
    }
}
