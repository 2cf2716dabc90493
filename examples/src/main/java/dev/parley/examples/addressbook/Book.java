package dev.parley.examples.addressbook;

import java.util.Map;

/** Every entry of the book by name: what the book's file holds, encoded with {@link AddressBookCodec}. */
public record Book(Map<String, Entry> entries) {

    public Book {
        entries = Map.copyOf(entries);
    }
}
