package dev.parley.chaos;

import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A repeatable IM conversation for fault tests and {@code parley compare}: some clients register
 * with an IM server, the first invites the rest, all join, then each posts its messages, tagged
 * with (sender, seq) and the time sent; every member records what it receives in a {@link History}.
 * Only the public {@link ImClient} is used, so the server may be behind any proxy or transport.
 *
 * <p>{@link #run} drives everything from the calling thread plus one virtual thread per sender, and
 * closes every client before it returns.
 *
 * @param clients           how many users take part (at least 2)
 * @param messagesPerClient how many messages each posts
 * @param textLength        characters per message text, tag included (padded with filler)
 * @param deadline          how long the run may take in all before it stops waiting for deliveries
 */
public record ConversationWorkload(int clients, int messagesPerClient, int textLength, Duration deadline) {

    public ConversationWorkload {
        if (clients < 2) {
            throw new IllegalArgumentException("a conversation needs at least 2 clients, was " + clients);
        }
        if (messagesPerClient < 1) {
            throw new IllegalArgumentException("messagesPerClient must be at least 1, was " + messagesPerClient);
        }
        Objects.requireNonNull(deadline, "deadline");
    }

    /**
     * What a run produced.
     *
     * @param verdict          the {@link HistoryChecker}'s verdict over every member
     * @param latenciesNanos   send-to-delivery time of every delivered message, at every member
     * @param elapsed          from the first message sent to the last delivered (or the deadline)
     * @param payloadBytes     text characters delivered, summed over members
     * @param retransmissions  retransmissions the transport reports over all clients (its
     *                         {@code packetsRetransmitted} figure), or -1 where it has none (TCP)
     */
    public record Result(Verdict verdict, List<Long> latenciesNanos, Duration elapsed, long payloadBytes,
                         long retransmissions) {

        public Result {
            latenciesNanos = List.copyOf(latenciesNanos);
        }
    }

    /**
     * Runs the conversation against the IM server reached at {@code server} over {@code transport}.
     *
     * @param prefix user names are {@code prefix0}, {@code prefix1}, ...
     * @throws IOException if a client cannot connect or register, or the conversation cannot be set up
     */
    public Result run(Transport transport, SocketAddress server, String prefix) throws IOException, InterruptedException {
        return run(transport, server, prefix, () -> { });
    }

    /**
     * Runs the conversation like {@link #run(Transport, SocketAddress, String)}, calling
     * {@code whileSending} on the calling thread once every sender has started: the moment to
     * inject a fault into the flow of messages.
     */
    public Result run(Transport transport, SocketAddress server, String prefix, Runnable whileSending)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        var history = new History();
        var latencies = new ConcurrentLinkedQueue<Long>();
        var payload = new AtomicLong();
        long expected = (long) clients * clients * messagesPerClient;
        var allDelivered = new CountDownLatch(1);
        var deliveries = new AtomicLong();
        List<ImClient> members = new ArrayList<>();
        List<CompletableFuture<Invitation>> invitations = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                String name = prefix + i;
                var invitation = new CompletableFuture<Invitation>();
                invitations.add(invitation);
                members.add(ImClient.connect(transport, server, new ImListener() {
                    @Override
                    public void onInvitation(Invitation received) {
                        invitation.complete(received);
                    }

                    @Override
                    public void onMessage(Message message) {
                        long now = System.nanoTime();
                        History.parse(message.text()).ifPresent(tag -> {
                            history.received(name, tag.sender(), tag.seq());
                            sentAt(message.text()).ifPresent(sent -> latencies.add(now - sent));
                            payload.addAndGet(message.text().length());
                            if (deliveries.incrementAndGet() == expected) {
                                allDelivered.countDown();
                            }
                        });
                    }
                }));
                await(members.get(i).register(name, "online"), end, name + " registering");
            }
            List<String> names = new ArrayList<>();
            for (int i = 1; i < clients; i++) {
                names.add(prefix + i);
            }
            members.get(0).invite(names);
            for (int i = 0; i < clients; i++) {
                long id = await(invitations.get(i), end, prefix + i + " awaiting the invitation").conversationId();
                if (i > 0) {
                    members.get(i).join(id);
                }
                await(members.get(i).list(), end, prefix + i + " joining");
            }
            long id = invitations.get(0).join().conversationId();
            long start = System.nanoTime();
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                ImClient client = members.get(i);
                String name = prefix + i;
                senders.add(Thread.ofVirtual().name("workload-" + name).start(() -> post(client, id, name, history)));
            }
            whileSending.run();
            for (Thread sender : senders) {
                sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            }
            allDelivered.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            long reported = members.stream().anyMatch(m -> m.stats().details().containsKey("packetsRetransmitted"))
                    ? members.stream().mapToLong(m -> m.stats().details().getOrDefault("packetsRetransmitted", 0L)).sum()
                    : -1;
            List<String> all = new ArrayList<>(names);
            all.addFirst(prefix + 0);
            return new Result(history.check(all), List.copyOf(latencies), elapsed, payload.get(), reported);
        } finally {
            members.forEach(ImClient::close);
        }
    }

    private void post(ImClient client, long conversation, String name, History history) {
        for (int seq = 1; seq <= messagesPerClient; seq++) {
            String head = History.tag(name, seq) + System.nanoTime() + ":";
            String text = head + "x".repeat(Math.max(0, textLength - head.length()));
            history.sent(name, seq);
            try {
                client.send(conversation, text);
            } catch (IOException e) {
                return;
            }
            history.acknowledged(name, seq);
        }
    }

    private static Optional<Long> sentAt(String text) {
        int first = text.indexOf(':');
        int second = text.indexOf(':', first + 1);
        try {
            return Optional.of(Long.parseLong(text.substring(first + 1, second)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static <T> T await(CompletableFuture<T> future, long end, String what) throws IOException, InterruptedException {
        try {
            return future.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(what + ": no answer before the deadline", e);
        }
    }
}
