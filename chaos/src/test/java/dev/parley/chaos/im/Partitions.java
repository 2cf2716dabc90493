package dev.parley.chaos.im;

import dev.parley.chaos.ChaosProxy;
import dev.parley.chaos.Direction;
import dev.parley.chaos.Toxic;
import dev.parley.chaos.ToxicType;

/** Cuts a proxy off in both directions and heals it, whatever its protocol. Stateless. */
final class Partitions {

    private Partitions() {
    }

    static void cut(ChaosProxy proxy) {
        for (Direction direction : Direction.values()) {
            proxy.add(Toxic.of(ToxicType.PARTITION, direction));
        }
    }

    static void heal(ChaosProxy proxy) {
        for (Direction direction : Direction.values()) {
            proxy.remove(Toxic.of(ToxicType.PARTITION, direction).name());
        }
    }
}
