package dev.parley.examples.datagrams;

import java.util.List;

/**
 * What a receiver counted: how many messages were sent, and the numbers of those that arrived, in
 * the order they arrived.
 */
public record Tally(int sent, List<Integer> received) {

    public Tally {
        received = List.copyOf(received);
    }

    public int lost() {
        return sent - received.size();
    }

    /** True if every message that arrived came after the one sent before it. */
    public boolean inOrder() {
        for (int i = 1; i < received.size(); i++) {
            if (received.get(i) <= received.get(i - 1)) {
                return false;
            }
        }
        return true;
    }

    /** One line for people: {@code raw UDP: 83/100 received (17 lost)}. */
    public String summary(String how) {
        return how + ": " + received.size() + "/" + sent + " received"
                + (lost() == 0 ? "" : " (" + lost() + " lost)")
                + (inOrder() ? " in order" : " out of order");
    }
}
