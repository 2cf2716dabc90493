package dev.parley.server;

import dev.parley.im.OnlineUsersChanged;
import dev.parley.server.store.MemorySharedStore;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every scenario of {@link ImServerTest} on two nodes sharing one {@link MemorySharedStore}, the
 * test's clients connecting to them in turn (the first to node one, the next to node two, ...):
 * the single-node semantics must hold whichever node each member is on. Where they cannot quite
 * (the online list crosses nodes as state, read from the store), a scenario is overridden here
 * saying what holds instead. A subclass runs them on another shared store through
 * {@link #storeForNode}.
 */
class ImServerOnTwoNodesTest extends ImServerTest {

    private SharedStore memory;

    /**
     * As on one node, except that the list bob gets on registering is the one his node last read
     * from the store, which may not have alice yet: the change that follows brings her.
     */
    @Override
    @OverEveryTransport
    void tellsEveryoneWhoIsOnlineWhenSomeoneRegisters(String transportName) throws Exception {
        var alice = firstToRegister(transportName, "alice");

        var bob = connect("bob");
        Map<String, String> both = Map.of("alice", "online", "bob", "busy");
        Map<String, String> registered = bob.register("busy");
        assertThat(registered).containsEntry("bob", "busy");
        assertThat(both).containsAllEntriesOf(registered);
        bob.awaitOnline(both::equals);
        alice.awaitOnline(both::equals);
        assertThat(server().onlineUsers()).isEqualTo(both);
    }

    /**
     * Across nodes the online list is read as state, not passed on as events: with no window, a
     * change reaches the other node's users at its next read of the store, changes made between two
     * reads arriving as the latest. Bob's own node tells him at once, as on one node.
     */
    @Override
    @OverEveryTransport
    void sendsEachChangeAtOnceWithNoWindow(String transportName) throws Exception {
        var clients = bobGoesAwayWithNoWindow(transportName);
        var alice = clients.alice();
        var bob = clients.bob();

        assertThat(alice.awaitOnline(online -> "away".equals(online.get("bob"))))
                .isEqualTo(new OnlineUsersChanged(Map.of("bob", "away"), Set.of()));
        assertThat(bob.online()).containsEntry("bob", "away");
    }

    /**
     * As on one node, except that a user who came and went on the other node between two of this
     * node's reads of the store was never seen here, so need not be said to have gone.
     */
    @Override
    @OverEveryTransport
    void tellsOthersOfSeveralChangesWithinTheWindowInOneChangeTheLatestStateWinning(String transportName)
            throws Exception {
        var alice = changeSeveralTimesWithinTheWindow(transportName);

        OnlineUsersChanged change = (OnlineUsersChanged) alice.awaitOnline(online -> online.containsKey("bob"));
        assertThat(change.online()).isEqualTo(Map.of("bob", "away", "carol", "online"));
        assertThat(change.offline()).isSubsetOf("dave");
        assertThat(alice.online()).isEqualTo(Map.of("alice", "online", "bob", "away", "carol", "online"));
    }

    /**
     * As on one node, except that the list a user gets on registering is the one their node last
     * read: a user who just said goodbye on the other node may be in it, and the changes that
     * follow take them out.
     */
    @Override
    @OverEveryTransport
    void givesAUserWhoRegistersWhileChangesWaitTheListAndThenChangesThatLeaveItRight(String transportName)
            throws Exception {
        var waiting = changeWhileBobIsAboutToRegister(transportName);
        Map<String, String> now = Map.of("alice", "away", "bob", "online");

        Map<String, String> registered = waiting.bob().register("online");
        assertThat(registered).containsAllEntriesOf(now);
        assertThat(registered.keySet()).isSubsetOf("alice", "bob", "carol");
        waiting.bob().awaitOnline(now::equals);
        waiting.alice().awaitOnline(now::equals);
        assertThat(server().onlineUsers()).isEqualTo(now);
    }

    @Override
    protected List<ImServer> startNodes(Transport transport, ServerOptions options, LongSupplier nanoClock)
            throws Exception {
        memory = MemorySharedStore.create(StoreOptions.defaults());
        List<ImServer> nodes = new ArrayList<>();
        try {
            for (String name : List.of("one", "two")) {
                ServerOptions node = options.toBuilder().nodeId(name).nodeLease(Duration.ofSeconds(2))
                        .nodeSyncPeriod(Duration.ofMillis(100)).build();
                nodes.add(ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), node,
                        nanoClock, null, storeForNode()));
            }
        } catch (Exception e) {
            nodes.forEach(ImServer::close);
            throw e;
        }
        return nodes;
    }

    /**
     * The store the next node is started on: each call a handle on the same data, as another node
     * would open it (the node closes it when it stops). Here the test's one in-memory store.
     */
    protected SharedStore storeForNode() throws Exception {
        return memory;
    }
}
