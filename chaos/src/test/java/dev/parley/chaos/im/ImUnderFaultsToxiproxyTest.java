package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;
import dev.parley.chaos.ToxiproxyContainerProxies;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The IM conversations under slowing faults, through a real Toxiproxy in a container: the TCP scenarios that use
 * Toxiproxy's own toxics. Skipped where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
class ImUnderFaultsToxiproxyTest extends ImUnderFaultsScenarios {

    @Override
    ChaosExtension extension() {
        return ChaosExtension.toxiproxyContainer(ToxiproxyContainerProxies.DEFAULT_IMAGE);
    }
}
