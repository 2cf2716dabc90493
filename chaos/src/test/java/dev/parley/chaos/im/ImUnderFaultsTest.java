package dev.parley.chaos.im;

import dev.parley.chaos.ChaosExtension;

/** The IM conversations under slowing faults, through this kit's proxies. */
class ImUnderFaultsTest extends ImUnderFaultsScenarios {

    @Override
    ChaosExtension extension() {
        return ChaosExtension.create();
    }
}
