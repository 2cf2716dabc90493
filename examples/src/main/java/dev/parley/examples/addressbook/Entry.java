package dev.parley.examples.addressbook;

/**
 * What the address book keeps for a name. A plain record: the server, not the constructor,
 * checks the values, so a bad entry from a client is refused with an error rather than a
 * connection that fails to decode it.
 *
 * @param email an e-mail address; must not be blank
 * @param phone a phone number, or an empty string
 */
public record Entry(String email, String phone) {

    @Override
    public String toString() {
        return phone == null || phone.isEmpty() ? email : email + ", " + phone;
    }
}
