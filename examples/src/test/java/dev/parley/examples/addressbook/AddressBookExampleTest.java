package dev.parley.examples.addressbook;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.examples.ExampleRun;
import dev.parley.examples.OverEachTransport;
import dev.parley.rpc.RemoteFaultException;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressBookExampleTest {

    private static final int CLIENTS = 20;
    private static final int ADDS_EACH = 50;

    @TempDir
    Path folder;

    @OverEachTransport
    void keepsEveryAcknowledgedEntryThroughACrash(String transport) throws Exception {
        Path file = folder.resolve("book.bin");
        var chosen = Transport.byName(transport);
        Server crashed = listen(chosen, AddressBookService.open(file));
        AddressBook book = connect(chosen, crashed).remote(AddressBook.class);
        book.add("alice", new Entry("alice@example.com", "+1 555 0100"));
        book.add("bob", new Entry("bob@example.com", ""));
        book.add("carol", new Entry("carol@example.com", ""));
        book.remove("bob");

        // The "crash": the first server is never closed or told anything; a second one starts from
        // the file alone, as it would after the process died.
        try (Server restarted = listen(chosen, AddressBookService.open(file))) {
            AddressBook after = connect(chosen, restarted).remote(AddressBook.class);

            assertThat(after.find("alice")).isEqualTo(new Entry("alice@example.com", "+1 555 0100"));
            assertThat(after.find("carol")).isEqualTo(new Entry("carol@example.com", ""));
            assertThatThrownBy(() -> after.find("bob")).isInstanceOf(RemoteFaultException.class);
        }
        assertThat(Files.list(folder)).containsExactly(file);
    }

    @OverEachTransport
    void staysConsistentWithManyClientsAtOnce(String transport) throws Exception {
        var chosen = Transport.byName(transport);
        var service = AddressBookService.open(folder.resolve("book.bin"));
        try (Server server = listen(chosen, service); var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(threads.submit(() -> {
                    AddressBook book = connect(chosen, server).remote(AddressBook.class);
                    for (int i = 0; i < ADDS_EACH; i++) {
                        book.add(name(client, i), new Entry(name(client, i) + "@example.com", ""));
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get(60, TimeUnit.SECONDS);
            }

            AddressBook reader = connect(chosen, server).remote(AddressBook.class);
            AddressBookService reloaded = AddressBookService.open(folder.resolve("book.bin"));
            for (int c = 0; c < CLIENTS; c++) {
                for (int i = 0; i < ADDS_EACH; i++) {
                    assertThat(reader.find(name(c, i)).email()).isEqualTo(name(c, i) + "@example.com");
                    assertThat(reloaded.find(name(c, i)).email()).isEqualTo(name(c, i) + "@example.com");
                }
            }
            assertThat(service.size()).isEqualTo(CLIENTS * ADDS_EACH);
            assertThat(reloaded.size()).isEqualTo(CLIENTS * ADDS_EACH);
        }
    }

    @OverEachTransport
    void refusesBadRequestsWithClearErrors(String transport) throws Exception {
        var chosen = Transport.byName(transport);
        try (Server server = listen(chosen, AddressBookService.open(folder.resolve("book.bin")))) {
            AddressBook book = connect(chosen, server).remote(AddressBook.class);

            assertFault(() -> book.find("nobody"), "java.util.NoSuchElementException", "no entry for nobody");
            assertFault(() -> book.remove("nobody"), "java.util.NoSuchElementException", "no entry for nobody");
            assertFault(() -> book.add(null, new Entry("x@example.com", "")), "java.lang.IllegalArgumentException",
                    "a name must not be blank");
            assertFault(() -> book.add("  ", new Entry("x@example.com", "")), "java.lang.IllegalArgumentException",
                    "a name must not be blank");
            assertFault(() -> book.add("dave", null), "java.lang.IllegalArgumentException",
                    "the entry for dave needs an e-mail address");
            assertFault(() -> book.add("dave", new Entry("d".repeat(301), "")), "java.lang.IllegalArgumentException",
                    "the entry for dave is too long: 301 characters (at most 300)");
            book.add("dave", new Entry("dave@example.com", ""));
            assertThat(book.find("dave").email()).isEqualTo("dave@example.com");
        }
    }

    @Test
    void refusesToStartFromAFileThatIsNotABook() throws Exception {
        Path file = Files.writeString(folder.resolve("book.bin"), "not a book");

        assertThatThrownBy(() -> AddressBookService.open(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not an address book");
    }

    @OverEachTransport
    void commandsAddFindAndRemove(String transport) throws Exception {
        Path file = folder.resolve("book.bin");
        try (var server = ExampleRun.start("", "address-book-server", "--transport", transport, "--port", "0",
                "--file", file.toString())) {
            String address = server.awaitServer();
            String[] at = {"--server", address, "--transport", transport};

            assertThat(book("add", "alice", "alice@example.com", "+1 555 0100", at).outLines()).containsExactly("added alice");
            assertThat(book("find", "alice", at).outLines()).containsExactly("alice: alice@example.com, +1 555 0100");
            assertThat(book("remove", "alice", at).outLines()).containsExactly("removed alice");
            var missing = book("find", "alice", at);
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.errLines()).containsExactly("no entry for alice");
        }
    }

    private static ExampleRun.Result book(String command, String name, String[] at) throws Exception {
        return ExampleRun.run("", concat(new String[] {"address-book", command, name}, at));
    }

    private static ExampleRun.Result book(String command, String name, String email, String phone, String[] at) throws Exception {
        return ExampleRun.run("", concat(new String[] {"address-book", command, name, email, phone}, at));
    }

    private static String[] concat(String[] first, String[] second) {
        var all = new ArrayList<>(List.of(first));
        all.addAll(List.of(second));
        return all.toArray(String[]::new);
    }

    private static void assertFault(Runnable call, String type, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(RemoteFaultException.class, e -> {
            assertThat(e.fault().type()).isEqualTo(type);
            assertThat(e.fault().message()).isEqualTo(message);
        });
    }

    private static String name(int client, int i) {
        return "client" + client + "-" + i;
    }

    private static Server listen(Transport transport, AddressBookService service) throws IOException {
        return service.endpoint().listen(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static Peer connect(Transport transport, Server server) throws IOException {
        return Endpoint.builder(AddressBookCodec.codec()).build().connect(transport, server.localAddress());
    }
}
