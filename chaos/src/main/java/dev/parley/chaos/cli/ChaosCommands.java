package dev.parley.chaos.cli;

import dev.parley.server.cli.ParleyExtension;

/** Adds {@code parley compare} to the {@code parley} command, found through {@link java.util.ServiceLoader}. */
public final class ChaosCommands implements ParleyExtension {

    @Override
    public Object command() {
        return new CompareCommand();
    }
}
