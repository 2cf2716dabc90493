package dev.parley.chaos.internal;

import dev.parley.chaos.Direction;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;
import dev.parley.chaos.internal.UdpImpairment.Emission;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What each UDP toxic does to datagrams, on a seeded random source and explicit times: no sockets, no waiting. */
class UdpImpairmentTest {

    private static final long SEED = 20261121L;
    private static final byte[] DATAGRAM = {1, 2, 3, 4, 5, 6, 7, 8};
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final UdpImpairment impairment = new UdpImpairment(new SplittableRandom(SEED));

    @Test
    void passesADatagramUntouchedAndAtOnceWithoutToxics() {
        assertThat(impairment.apply(DATAGRAM, 1_000, List.of())).singleElement()
                .satisfies(e -> assertThat(e.data()).isEqualTo(DATAGRAM))
                .extracting(Emission::due).isEqualTo(1_000L);
    }

    @Test
    void dropsTheGivenShareOfDatagramsAtRandom() {
        var loss = List.of(toxic(ToxicType.LOSS).with("probability", 0.3));

        double delivered = deliveredShare(loss, 20_000);

        assertThat(delivered).isCloseTo(0.7, within(0.02));
    }

    @Test
    void dropsInBurstsOnAGilbertElliottChannel() {
        var burst = List.of(toxic(ToxicType.BURST_LOSS)
                .with("p", 0.02).with("r", 0.25).with("loss_good", 0).with("loss_bad", 1));
        var drops = new ArrayList<Boolean>();
        for (int i = 0; i < 50_000; i++) {
            drops.add(impairment.apply(DATAGRAM, 0, burst).isEmpty());
        }

        double lossRate = drops.stream().filter(d -> d).count() / (double) drops.size();
        assertThat(lossRate).as("stationary loss p/(p+r)").isCloseTo(0.02 / 0.27, within(0.015));
        assertThat(meanRun(drops)).as("mean burst length 1/r").isCloseTo(4.0, within(0.5));
    }

    @Test
    void sendsADuplicatedDatagramTwice() {
        var duplicate = List.of(toxic(ToxicType.DUPLICATE).with("probability", 1));

        assertThat(impairment.apply(DATAGRAM, 0, duplicate)).hasSize(2)
                .allSatisfy(e -> assertThat(e.data()).isEqualTo(DATAGRAM));
    }

    @Test
    void holdsAReorderedDatagramBackSoThatLaterOnesOvertakeIt() {
        var reorder = List.of(toxic(ToxicType.REORDER).with("probability", 1).with("delay", 50));

        assertThat(impairment.apply(DATAGRAM, 0, reorder)).singleElement().extracting(Emission::due).isEqualTo(50 * MS);
    }

    @Test
    void delaysByTheLatencyPlusOrMinusTheJitter() {
        var latency = List.of(toxic(ToxicType.LATENCY).with("latency", 100).with("jitter", 50));

        for (int i = 0; i < 1_000; i++) {
            assertThat(impairment.apply(DATAGRAM, 0, latency).getFirst().due()).isBetween(50 * MS, 150 * MS);
        }
    }

    @Test
    void flipsExactlyOneBitOfACorruptedDatagram() {
        var corrupt = List.of(toxic(ToxicType.CORRUPT).with("probability", 1));

        byte[] out = impairment.apply(DATAGRAM, 0, corrupt).getFirst().data();

        int differentBits = 0;
        for (int i = 0; i < out.length; i++) {
            differentBits += Integer.bitCount((out[i] ^ DATAGRAM[i]) & 0xff);
        }
        assertThat(differentBits).isEqualTo(1);
        assertThat(DATAGRAM).as("the original is left alone").containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void pacesDatagramsAtTheBandwidthAndDropsWhatWouldQueueTooLong() {
        var bandwidth = List.of(toxic(ToxicType.BANDWIDTH).with("rate", 1));
        byte[] kilobyte = new byte[1024];

        List<Long> dues = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            impairment.apply(kilobyte, 0, bandwidth).forEach(e -> dues.add(e.due()));
        }

        assertThat(dues).containsExactly(1_000 * MS, 2_000 * MS);
    }

    @Test
    void aPartitionDropsEverything() {
        assertThat(impairment.apply(DATAGRAM, 0, List.of(toxic(ToxicType.PARTITION)))).isEmpty();
    }

    @Test
    void aToxicOfToxicityZeroNeverActs() {
        var loss = List.of(toxic(ToxicType.LOSS).with("probability", 1).withToxicity(0));

        assertThat(deliveredShare(loss, 100)).isEqualTo(1.0);
    }

    @Test
    void theSameSeedMakesTheSameChoices() {
        var toxics = List.of(toxic(ToxicType.LOSS).with("probability", 0.5),
                toxic(ToxicType.LATENCY).with("latency", 10).with("jitter", 10));
        var again = new UdpImpairment(new SplittableRandom(SEED));

        for (int i = 0; i < 100; i++) {
            assertThat(dues(impairment.apply(DATAGRAM, i, toxics))).isEqualTo(dues(again.apply(DATAGRAM, i, toxics)));
        }
    }

    private double deliveredShare(List<Toxic> toxics, int datagrams) {
        int delivered = 0;
        for (int i = 0; i < datagrams; i++) {
            delivered += impairment.apply(DATAGRAM, 0, toxics).size();
        }
        return delivered / (double) datagrams;
    }

    private static double meanRun(List<Boolean> drops) {
        int runs = 0;
        int dropped = 0;
        for (int i = 0; i < drops.size(); i++) {
            if (drops.get(i)) {
                dropped++;
                if (i == 0 || !drops.get(i - 1)) {
                    runs++;
                }
            }
        }
        return dropped / (double) runs;
    }

    private static List<Long> dues(List<Emission> emissions) {
        return emissions.stream().map(Emission::due).toList();
    }

    private static Toxic toxic(ToxicType type) {
        return Toxic.of(type, Direction.DOWNSTREAM);
    }
}
