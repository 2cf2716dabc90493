package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.ToxicType;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Skips a scenario, saying why, where the extension's proxies cannot play it (a real Toxiproxy). Stateless. */
final class Assume {

    private Assume() {
    }

    /** Skips unless the proxies have toxics of {@code type}. */
    static void toxic(ChaosExtension chaos, ToxicType type) {
        assumeTrue(chaos.proxies().supports(type), "these proxies have no " + type.wireName() + " toxic");
    }

    /** Skips unless the proxies carry {@code transportName}'s protocol. */
    static void protocol(ChaosExtension chaos, String transportName) {
        assumeTrue(chaos.proxies().supports(Protocol.fromWireName(transportName)),
                "these proxies carry no " + transportName);
    }
}
