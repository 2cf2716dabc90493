package dev.parley.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The history checker finds each kind of anomaly, and nothing in a clean history. */
class HistoryCheckerTest {

    private final History history = new History();

    @Test
    void findsNothingWhenEveryReceiverGetsEveryAcknowledgedMessageOnceInOrder() {
        acknowledge("alice", 1, 2);
        acknowledge("bob", 1);
        receive("bob", "alice", 1, 2);
        receive("alice", "bob", 1);
        history.received("bob", "bob", 1);
        receive("alice", "alice", 1, 2);

        Verdict verdict = history.check(List.of("alice", "bob"));

        assertThat(verdict.anomalies()).isEmpty();
        assertThat(verdict.isValid()).isTrue();
        assertThat(verdict.deliveries()).isEqualTo(6);
        assertThat(verdict.delivered()).isEqualTo(6);
    }

    @Test
    void reportsAnAcknowledgedMessageNeverReceivedAsLost() {
        acknowledge("alice", 1, 2, 3);
        receive("bob", "alice", 1, 3);

        assertThat(history.check(List.of("bob")).anomalies())
                .containsExactly(new Anomaly(Anomaly.Kind.LOST, "bob", "alice", 2));
    }

    @Test
    void reportsAMessageReceivedTwiceAsDuplicated() {
        acknowledge("alice", 1, 2);
        receive("bob", "alice", 1, 2, 2);

        assertThat(history.check(List.of("bob")).anomalies())
                .containsExactly(new Anomaly(Anomaly.Kind.DUPLICATED, "bob", "alice", 2));
    }

    @Test
    void reportsAMessageReceivedAfterALaterOneOfTheSameSenderAsReordered() {
        acknowledge("alice", 1, 2, 3);
        acknowledge("carol", 1, 2);
        receive("bob", "carol", 2);
        receive("bob", "alice", 1, 3, 2);
        receive("bob", "carol", 1);

        assertThat(history.check(List.of("bob")).anomalies()).containsExactly(
                new Anomaly(Anomaly.Kind.REORDERED, "bob", "alice", 2),
                new Anomaly(Anomaly.Kind.REORDERED, "bob", "carol", 1));
    }

    @Test
    void reportsAMessageNobodySentAsUnexpected() {
        acknowledge("alice", 1);
        receive("bob", "alice", 1);
        receive("bob", "mallory", 1);

        assertThat(history.check(List.of("bob")).anomalies())
                .containsExactly(new Anomaly(Anomaly.Kind.UNEXPECTED, "bob", "mallory", 1));
    }

    @Test
    void acceptsAnUnacknowledgedMessageWhetherItArrivedOrNot() {
        history.sent("alice", 1);
        history.sent("alice", 2);
        receive("bob", "alice", 2);

        assertThat(history.check(List.of("bob")).isValid()).isTrue();
    }

    @Test
    void findsNothingWhenEveryMemberSeesOneDenseOrderPerConversationFromWhereTheyJoined() {
        acknowledge("alice", 1, 2, 3);
        for (String receiver : List.of("alice", "bob")) {
            history.received(receiver, "alice", 1, 7, 1);
            history.received(receiver, "alice", 2, 7, 2);
        }
        history.received("alice", "alice", 3, 7, 3);
        history.received("bob", "alice", 3, 7, 3);
        history.received("carol", "alice", 3, 7, 3);

        assertThat(history.check(List.of("alice", "bob")).anomalies()).isEmpty();
    }

    @Test
    void reportsDivergedOrdersGapsAndAMessageStoredTwice() {
        acknowledge("alice", 1, 2, 3);
        acknowledge("bob", 1);
        history.received("carol", "alice", 1, 7, 1);
        history.received("carol", "alice", 2, 7, 2);
        history.received("dave", "alice", 1, 7, 1);
        history.received("dave", "bob", 1, 7, 2);
        history.received("erin", "alice", 1, 7, 1);
        history.received("erin", "alice", 3, 7, 4);
        history.received("frank", "alice", 2, 7, 3);

        assertThat(history.check(List.of()).anomalies()).containsExactly(
                new Anomaly(Anomaly.Kind.DIVERGED, "dave", "bob", 1),
                new Anomaly(Anomaly.Kind.GAP, "erin", "alice", 3),
                new Anomaly(Anomaly.Kind.STORED_TWICE, "frank", "alice", 2));
    }

    @Test
    void summarisesAnInvalidVerdictWithItsCounts() {
        acknowledge("alice", 1, 2);
        receive("bob", "alice", 1, 1);

        assertThat(history.check(List.of("bob")).toString())
                .startsWith("INVALID (1 lost, 1 duplicated): 1/2 deliveries of 2 acknowledged messages");
    }

    @Test
    void tagsAndParsesMessageTexts() {
        assertThat(History.tag("alice", 7) + "hello").isEqualTo("alice#7:hello");
        assertThat(History.parse("alice#7:hello")).contains(new History.Tag("alice", 7));
        assertThat(History.parse("no tag here")).isEmpty();
        assertThat(History.parse("alice#x:hello")).isEmpty();
    }

    private void acknowledge(String sender, long... seqs) {
        for (long seq : seqs) {
            history.sent(sender, seq);
            history.acknowledged(sender, seq);
        }
    }

    private void receive(String receiver, String sender, long... seqs) {
        for (long seq : seqs) {
            history.received(receiver, sender, seq);
        }
    }
}
