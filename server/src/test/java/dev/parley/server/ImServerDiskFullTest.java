package dev.parley.server;

import dev.parley.im.ImException;
import dev.parley.im.Message;
import dev.parley.server.store.SqliteStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.TinyDisk;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** The IM server on an SQLite store whose disk fills up while it runs, on a real (small) file system. */
class ImServerDiskFullTest {

    /** Room for the database and a few messages; a block of the filler is 4 KiB. */
    private static final long DISK_BYTES = 2 * 1024 * 1024;

    @TempDir
    Path directory;

    @Test
    void refusesASendWhileTheDiskIsFullStoresNothingOfItKeepsServingAndStoresAgainOnceThereIsRoom() throws Exception {
        Transport transport = Transport.byName("memory");
        Path mountPoint = Files.createDirectory(directory.resolve("disk"));
        try (var disk = TinyDisk.mount(mountPoint, DISK_BYTES);
             var server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build(),
                     SqliteStore.open(disk.root().resolve("data"), StoreOptions.defaults()));
             var alice = ScriptedClient.connect(transport, server.localAddress(), "alice");
             var bob = ScriptedClient.connect(transport, server.localAddress(), "bob")) {
            alice.register("online");
            bob.register("online");
            long id = ImServerTest.conversation(alice, bob);
            assertThat(alice.client().send(id, "before").get(30, TimeUnit.SECONDS)).isEqualTo(1);

            disk.fill();
            // Two pages of text at least: it cannot fit in what is left of the last block.
            String large = "ж".repeat(ServerOptions.defaults().maxTextLength());
            var refused = alice.client().send(id, large);

            assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ImException.class)
                    .hasMessageContaining("not stored");
            var history = bob.client().history(id, Long.MAX_VALUE, true, 10).get(30, TimeUnit.SECONDS);
            assertThat(history.messages()).as("what bob can read while the disk is full: nothing half-written")
                    .extracting(Message::sequence, Message::text).singleElement()
                    .isEqualTo(tuple(1L, "before"));
            bob.client().status("away");
            alice.awaitOnline(online -> "away".equals(online.get("bob")));

            disk.free();

            assertThat(alice.client().send(id, large).get(30, TimeUnit.SECONDS))
                    .as("the next message takes the next number: the refused one left no trace").isEqualTo(2);
            assertThat(bob.await(Message.class, message -> message.sequence() == 2).text()).isEqualTo(large);
        }
    }
}
