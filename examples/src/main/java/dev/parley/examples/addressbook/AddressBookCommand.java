package dev.parley.examples.addressbook;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ServerAddress;
import dev.parley.rpc.RemoteException;
import dev.parley.rpc.RemoteFaultException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code parley example address-book add|remove|find}: one remote call to an address book server
 * each, printing the answer, or the server's refusal as one line.
 */
@Command(name = "address-book", mixinStandardHelpOptions = true,
        description = "Add, remove or find an entry in an address book server.",
        subcommands = {AddressBookCommand.Add.class, AddressBookCommand.Remove.class, AddressBookCommand.Find.class})
public final class AddressBookCommand {

    private AddressBookCommand() {
    }

    /** One call on a remote {@link AddressBook}: connects, calls, prints, closes. */
    abstract static class Call extends ExampleTask {

        @Mixin
        private ServerAddress server;

        @Parameters(index = "0", paramLabel = "NAME")
        protected String name;

        /** Calls {@code book} and returns the line to print. */
        abstract String call(AddressBook book);

        @Override
        protected final void run() throws Exception {
            Peer peer = server.connect((transport, address) ->
                    Endpoint.builder(AddressBookCodec.codec()).build().connect(transport, address));
            try {
                out().println(call(peer.remote(AddressBook.class)));
            } catch (RemoteFaultException e) {
                throw ExampleException.failed(e.fault().message());
            } catch (RemoteException e) {
                throw ExampleException.failed("lost the server at " + server.describe() + ": " + e.getMessage());
            } finally {
                peer.close();
            }
        }
    }

    /** {@code address-book add NAME EMAIL [PHONE]}. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a name, or replace its entry.")
    static final class Add extends Call {
        @Parameters(index = "1", paramLabel = "EMAIL")
        private String email;
        @Parameters(index = "2", paramLabel = "PHONE", arity = "0..1", defaultValue = "")
        private String phone;

        @Override
        String call(AddressBook book) {
            book.add(name, new Entry(email, phone));
            return "added " + name;
        }
    }

    /** {@code address-book remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a name.")
    static final class Remove extends Call {
        @Override
        String call(AddressBook book) {
            book.remove(name);
            return "removed " + name;
        }
    }

    /** {@code address-book find NAME}. */
    @Command(name = "find", mixinStandardHelpOptions = true, description = "Print a name's entry.")
    static final class Find extends Call {
        @Override
        String call(AddressBook book) {
            return name + ": " + book.find(name);
        }
    }
}
