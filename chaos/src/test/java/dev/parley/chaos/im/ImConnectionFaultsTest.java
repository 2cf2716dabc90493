package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;

/** The connection-breaking faults, through this kit's proxies. */
class ImConnectionFaultsTest extends ImConnectionFaultsScenarios {

    @Override
    ChaosExtension extension() {
        return ChaosExtension.create();
    }
}
