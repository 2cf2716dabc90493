package dev.parley.chaos.cli;

import dev.parley.server.cli.ParleyExtension;

/** Adds {@code parley chaos} to the {@code parley} command, found through {@link java.util.ServiceLoader}. */
public final class ToxiproxyServerExtension implements ParleyExtension {

    @Override
    public Object command() {
        return new ToxiproxyServerCommand();
    }
}
