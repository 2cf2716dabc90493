package dev.parley.examples.addressbook;

/**
 * The address book, as a remote interface: the server {@code serve}s an implementation, a client
 * calls {@code peer.remote(AddressBook.class)}. A failure on the server arrives as a
 * {@link dev.parley.rpc.RemoteFaultException} naming the exception and its message.
 */
public interface AddressBook {

    /**
     * Adds {@code name}, or replaces its entry. Returns once the book is safely on disk.
     *
     * @throws IllegalArgumentException if the name is blank or the entry empty or too long
     * @throws IllegalStateException if the book is full
     */
    void add(String name, Entry entry);

    /**
     * Removes {@code name}. Returns once the book is safely on disk.
     *
     * @throws java.util.NoSuchElementException if there is no entry for the name
     */
    void remove(String name);

    /**
     * The entry for {@code name}.
     *
     * @throws java.util.NoSuchElementException if there is no entry for the name
     */
    Entry find(String name);
}
