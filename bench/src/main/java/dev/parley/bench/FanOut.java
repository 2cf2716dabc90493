package dev.parley.bench;

import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * IM fan-out: an {@link ImServer} over one transport, {@value #MEMBERS} {@link ImClient}s in one
 * conversation, one of them posting. The sender posts in batches of {@value #BATCH} and waits for
 * every member to have each batch before the next, so no member's queue overflows (the server
 * aborts slow consumers) and the figure is a sustained rate. Allocation is the whole JVM's
 * (server and the 100 clients decoding), so it is an upper bound on the server's. Runs on the
 * calling thread; the IM server and clients use their own.
 */
final class FanOut {

    static final int MEMBERS = 100;
    private static final int BATCH = 50;
    private static final String TEXT = "hello, everyone in this conversation";

    /** Messages posted, deliveries, deliveries per second and bytes allocated per delivery in one round. */
    record Result(String transport, long messages, long deliveries, double perSecond, double bytesPerDelivery) {
    }

    private FanOut() {
    }

    /** Measures for {@code measure} after a warm-up of {@code warmUp}, over {@code transportName}, storing in memory. */
    static Result run(String transportName, Duration warmUp, Duration measure) throws Exception {
        return run(transportName, MemoryStore.create(StoreOptions.defaults()), SyscallCounter.none(), warmUp, measure);
    }

    /**
     * As above, the server keeping the conversation in {@code store} (which it closes), and
     * {@code calls} counting during the timed phase only.
     */
    static Result run(String transportName, ChatStore store, SyscallCounter calls, Duration warmUp, Duration measure)
            throws Exception {
        Transport transport = Transport.byName(transportName);
        var deliveries = new Arrivals();
        var invitation = new CompletableFuture<Long>();
        List<ImClient> clients = new ArrayList<>();
        // No rate limit: one sender posting as fast as it can is the point of this benchmark.
        try (ImServer server = ImServer.start(transport,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().messagesPerSecond(0).build(), store)) {
            ImListener listener = new ImListener() {
                @Override
                public void onMessage(Message message) {
                    deliveries.arrived();
                }

                @Override
                public void onInvitation(Invitation received) {
                    invitation.complete(received.conversationId());
                }
            };
            List<String> others = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                ImClient client = ImClient.connect(transport, server.localAddress(), listener);
                clients.add(client);
                client.register("member" + i, "online").get(10, TimeUnit.SECONDS);
                if (i > 0) {
                    others.add("member" + i);
                }
            }
            ImClient sender = clients.getFirst();
            sender.invite(others);
            long conversation = invitation.get(10, TimeUnit.SECONDS);
            for (ImClient member : clients.subList(1, MEMBERS)) {
                member.join(conversation);
            }
            awaitMembers(sender, conversation);
            long posted = post(sender, conversation, deliveries, 0, warmUp);
            long allocatedBefore = allocatedBytes();
            long deliveredBefore = deliveries.count();
            calls.enable();
            long start = System.nanoTime();
            long messages = post(sender, conversation, deliveries, posted, measure) - posted;
            long elapsed = System.nanoTime() - start;
            calls.disable();
            long delivered = deliveries.count() - deliveredBefore;
            double bytes = (double) (allocatedBytes() - allocatedBefore) / delivered;
            return new Result(transportName, messages, delivered, delivered * 1e9 / elapsed, bytes);
        } finally {
            for (ImClient client : clients) {
                client.close();
            }
        }
    }

    /** Posts in batches until {@code duration} has passed; returns the total posted so far. */
    private static long post(ImClient sender, long conversation, Arrivals deliveries, long postedBefore,
                             Duration duration) throws Exception {
        long posted = postedBefore;
        long end = System.nanoTime() + duration.toNanos();
        do {
            for (int i = 0; i < BATCH; i++) {
                sender.send(conversation, TEXT);
            }
            posted += BATCH;
            deliveries.awaitAtLeast(posted * MEMBERS);
        } while (System.nanoTime() < end);
        return posted;
    }

    /** Joins carry no answer: ask for the conversation list until every member is in. */
    private static void awaitMembers(ImClient sender, long conversation) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<String> members = sender.list().get(10, TimeUnit.SECONDS).get(conversation);
            if (members != null && members.size() == MEMBERS) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new TimeoutException("not all " + MEMBERS + " members joined within 10 s");
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }
}
