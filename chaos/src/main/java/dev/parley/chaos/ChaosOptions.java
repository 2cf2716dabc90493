package dev.parley.chaos;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How a {@link ChaosServer} runs. Immutable.
 *
 * @param seed           seeds every random choice the proxies make (toxicity, jitter, loss,
 *                       duplication, ...), so that a failing run can be replayed with the same
 *                       seed. Default: the system property {@value #SEED_PROPERTY} if set,
 *                       otherwise a fresh random seed; either way {@link ChaosServer#seed()} says
 *                       which, and the JUnit extension prints it when a test fails.
 * @param controlAddress where the Toxiproxy-compatible HTTP control API listens. Default
 *                       127.0.0.1 on a free port (Toxiproxy's own default is 8474).
 * @param ticker         the time source every delay waits on. Default {@link Ticker#SYSTEM}.
 */
public record ChaosOptions(long seed, InetSocketAddress controlAddress, Ticker ticker) {

    /** The system property that fixes the default seed, to replay a run: {@code -Dparley.chaos.seed=...}. */
    public static final String SEED_PROPERTY = "parley.chaos.seed";

    public ChaosOptions {
        Objects.requireNonNull(controlAddress, "controlAddress");
        Objects.requireNonNull(ticker, "ticker");
    }

    /** The defaults listed above, with a seed from {@value #SEED_PROPERTY} or a fresh one. */
    public static ChaosOptions defaults() {
        String fixed = System.getProperty(SEED_PROPERTY);
        long seed = fixed != null ? Long.parseLong(fixed.trim()) : RandomGenerator.getDefault().nextLong();
        return new ChaosOptions(seed, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Ticker.SYSTEM);
    }

    /** These options with {@code newSeed}. */
    public ChaosOptions withSeed(long newSeed) {
        return new ChaosOptions(newSeed, controlAddress, ticker);
    }

    /** These options with the control API at {@code address}. */
    public ChaosOptions withControlAddress(InetSocketAddress address) {
        return new ChaosOptions(seed, address, ticker);
    }

    /** These options waiting on {@code newTicker}. */
    public ChaosOptions withTicker(Ticker newTicker) {
        return new ChaosOptions(seed, controlAddress, newTicker);
    }
}
