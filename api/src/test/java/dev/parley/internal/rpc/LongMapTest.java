package dev.parley.internal.rpc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LongMapTest {

    private final LongMap<String> map = new LongMap<>();

    @Test
    void findsWhatWasPutAndForgetsWhatWasRemoved() {
        map.put(7, "seven");
        map.put(-3, "minus three");
        map.put(7, "seven again");

        assertThat(map.get(7)).isEqualTo("seven again");
        assertThat(map.get(-3)).isEqualTo("minus three");
        assertThat(map.get(8)).isNull();
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.remove(7)).isEqualTo("seven again");
        assertThat(map.remove(7)).isNull();
        assertThat(map.get(7)).isNull();
        assertThat(map.size()).isEqualTo(1);
    }

    @Test
    void refusesNullValues() {
        assertThatThrownBy(() -> map.put(1, null)).isInstanceOf(NullPointerException.class);
    }

    /**
     * A sliding window of call ids, as a connection's calls make: each id is put once, the oldest
     * are answered (removed) in a random order, and random ids are looked up, against a HashMap.
     * Removals in the middle of probe runs (including runs that wrap past the table's end) must
     * leave every later entry findable.
     */
    @Test
    void agreesWithAHashMapOverManyRandomOperations() {
        var random = new SplittableRandom(42);
        Map<Long, String> model = new HashMap<>();
        List<Long> outstanding = new ArrayList<>();
        long nextId = random.nextLong(); // ids may start anywhere, the negative range too
        for (int step = 0; step < 300_000; step++) {
            int operation = random.nextInt(10);
            if (operation < 4 || outstanding.isEmpty()) {
                long id = nextId++;
                map.put(id, "call " + id);
                model.put(id, "call " + id);
                outstanding.add(id);
            } else if (operation < 8) {
                // Answers arrive mostly in order, sometimes out of it.
                int index = random.nextInt(Math.min(outstanding.size(), 8));
                long id = outstanding.remove(index);
                assertThat(map.remove(id)).isEqualTo(model.remove(id));
            } else {
                long id = nextId - 1 - random.nextInt(600);
                assertThat(map.get(id)).isEqualTo(model.get(id));
            }
            assertThat(map.size()).isEqualTo(model.size());
        }
        for (long id : outstanding) {
            assertThat(map.get(id)).isEqualTo(model.get(id));
        }
    }

    @Test
    void growsPastItsFirstCapacity() {
        for (long id = 1; id <= 1_000; id++) {
            map.put(id * 1_000_003, "value " + id);
        }
        for (long id = 1; id <= 1_000; id++) {
            assertThat(map.get(id * 1_000_003)).isEqualTo("value " + id);
        }
        List<String> seen = new ArrayList<>();
        map.forEach(seen::add);
        assertThat(seen).hasSize(1_000).contains("value 1", "value 1000");
        assertThat(map.size()).isEqualTo(1_000);
    }
}
