package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;
import dev.parley.chaos.ToxiproxyContainerProxies;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The connection-breaking faults, through a real Toxiproxy in a container: the TCP scenarios that use
 * Toxiproxy's own toxics. Skipped where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
class ImConnectionFaultsToxiproxyTest extends ImConnectionFaultsScenarios {

    @Override
    ChaosExtension extension() {
        return ChaosExtension.toxiproxyContainer(ToxiproxyContainerProxies.DEFAULT_IMAGE);
    }
}
