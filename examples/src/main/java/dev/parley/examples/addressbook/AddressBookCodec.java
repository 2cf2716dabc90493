package dev.parley.examples.addressbook;

import dev.parley.codec.Codec;

/**
 * The classes of the address book that cross the wire or go to its file, each under a fixed id:
 * the lesson's pickle, but nothing outside this list can ever be decoded.
 */
public final class AddressBookCodec {

    /** The largest book file, in bytes. */
    public static final int MAX_FILE_LENGTH = 16 << 20;

    private static final Codec CODEC = Codec.builder()
            .register(70, Entry.class)
            .register(71, Book.class)
            .maxFrameLength(MAX_FILE_LENGTH)
            .build();

    private AddressBookCodec() {
    }

    public static Codec codec() {
        return CODEC;
    }
}
