package dev.parley.chaos.im;

import dev.parley.chaos.History;
import dev.parley.chaos.Verdict;
import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsersChanged;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workload of the kill tests: clients that send numbered messages in their conversations, a
 * window of them unacknowledged at a time, and a {@link History} per conversation of what was sent,
 * acknowledged and delivered to whom, for the history checker; and each client's view of who is
 * online. Thread-safe: listeners record on the clients' threads, senders run on virtual threads,
 * the test reads the counts.
 */
final class NumberedTraffic {

    private final int messagesPerSender;
    private final int window;
    private final Map<Long, History> histories = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Long>> pendingInvitations = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong reconnections = new AtomicLong();
    /** Each client's online list, as its listener was told it: user to status. */
    private final Map<String, Map<String, String>> onlineViews = new ConcurrentHashMap<>();

    /** Each sender sends {@code messagesPerSender} messages, at most {@code window} unacknowledged at once. */
    NumberedTraffic(int messagesPerSender, int window) {
        this.messagesPerSender = messagesPerSender;
        this.window = window;
    }

    /**
     * The listener of client {@code name}: records what it delivers and who it is told is online,
     * counts reconnections, takes invitations.
     */
    ImListener recorder(String name) {
        Map<String, String> view = new ConcurrentHashMap<>();
        onlineViews.put(name, view);
        return new ImListener() {
            @Override
            public void onOnlineUsers(Map<String, String> users) {
                synchronized (view) {
                    view.clear();
                    view.putAll(users);
                }
            }

            @Override
            public void onOnlineUsersChanged(Map<String, String> online, Set<String> offline) {
                synchronized (view) {
                    new OnlineUsersChanged(online, offline).applyTo(view);
                }
            }

            @Override
            public void onInvitation(Invitation invitation) {
                var waiting = pendingInvitations.remove(name);
                if (waiting != null) {
                    waiting.complete(invitation.conversationId());
                }
            }

            @Override
            public void onReconnected() {
                reconnections.incrementAndGet();
            }

            @Override
            public void onMessage(Message message) {
                History history = histories.get(message.conversationId());
                History.parse(message.text()).ifPresent(tag -> history.received(name, tag.sender(), tag.seq(),
                        message.conversationId(), message.sequence()));
            }
        };
    }

    /** Starts a conversation of {@code inviter} and {@code invitees} (by name), each joined; returns its id. */
    long conversation(ImClient inviter, Map<String, ImClient> invitees) throws Exception {
        Map<String, CompletableFuture<Long>> invited = new ConcurrentHashMap<>();
        invitees.keySet().forEach(name -> invited.put(name, new CompletableFuture<>()));
        pendingInvitations.putAll(invited);
        inviter.invite(List.copyOf(invitees.keySet()));
        long id = -1;
        for (var entry : invited.entrySet()) {
            id = entry.getValue().get(30, TimeUnit.SECONDS);
        }
        histories.put(id, new History());
        for (ImClient invitee : invitees.values()) {
            invitee.join(id);
            invitee.list().get(30, TimeUnit.SECONDS);
        }
        return id;
    }

    /** Sends {@code name}'s numbered messages to {@code conversation} on a virtual thread; completes when all are acknowledged. */
    CompletableFuture<Void> sendAll(ImClient client, String name, long conversation) {
        return CompletableFuture.runAsync(() -> send(client, name, conversation), task -> Thread.ofVirtual().start(task));
    }

    private void send(ImClient client, String name, long conversation) {
        var open = new Semaphore(window);
        History history = histories.get(conversation);
        try {
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (int seq = 1; seq <= messagesPerSender; seq++) {
                open.acquire();
                int number = seq;
                history.sent(name, number);
                sends.add(client.send(conversation, History.tag(name, number) + "hello").whenComplete((sequence, error) -> {
                    if (error == null) {
                        history.acknowledged(name, number);
                        acknowledged.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, error);
                    }
                    open.release();
                }));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
            throw new IllegalStateException(e);
        }
    }

    /** Messages acknowledged so far, all senders together. */
    long acknowledged() {
        return acknowledged.get();
    }

    /** The first send that failed, or null. */
    Throwable failure() {
        return failure.get();
    }

    /** Times a client was back after losing its server, all clients together. */
    long reconnections() {
        return reconnections.get();
    }

    /** Who client {@code name} was last told is online. */
    Set<String> onlineAt(String name) {
        Map<String, String> view = onlineViews.get(name);
        synchronized (view) {
            return Set.copyOf(view.keySet());
        }
    }

    /**
     * Waits until each member of every conversation in {@code members} (conversation to its members,
     * each a sender) has received every message of it, then asks the history checker: every
     * acknowledged message delivered to every member once, in one order, and every message acknowledged.
     */
    void assertEveryMemberGetsEveryMessageOnceInOrder(Map<Long, List<String>> members, Duration patience) {
        for (var entry : members.entrySet()) {
            long conversation = entry.getKey();
            long expected = (long) messagesPerSender * entry.getValue().size();
            for (String name : entry.getValue()) {
                Eventually.await(() -> history(conversation).receivedBy(name) >= expected, patience,
                        name + " receives every message of conversation " + conversation);
            }
            Verdict verdict = history(conversation).check(entry.getValue());
            assertThat(verdict.anomalies()).as("conversation %d: %s", conversation, verdict).isEmpty();
            assertThat(verdict.acknowledged()).isEqualTo(expected);
        }
    }

    /** What happened in {@code conversation}. */
    History history(long conversation) {
        return histories.get(conversation);
    }
}
