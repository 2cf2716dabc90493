package dev.parley.examples.addressbook;

import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ListenAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code parley example address-book-server}: serves the {@link AddressBook} saved in {@code --file} until Ctrl-C. */
@Command(name = "address-book-server", mixinStandardHelpOptions = true,
        description = "Serve an address book over remote calls, saved to a file after every change.")
public final class AddressBookServerCommand extends ExampleTask {

    @Mixin
    private ListenAddress listen;

    @Option(names = {"-f", "--file"}, defaultValue = "address-book.bin",
            description = "the book's file, created if missing (default: ${DEFAULT-VALUE})")
    private Path file;

    @Override
    protected void run() throws Exception {
        AddressBookService book;
        try {
            book = AddressBookService.open(file);
        } catch (IOException e) {
            throw ExampleException.failed("cannot open the address book: " + e.getMessage());
        }
        String entries = book.size() == 1 ? "1 entry" : book.size() + " entries";
        String description = "address book server (" + entries + " in " + book.path() + ")";
        serveUntilStopped(listen, book.endpoint(), description, server -> { });
    }
}
