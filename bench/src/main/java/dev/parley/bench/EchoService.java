package dev.parley.bench;

import java.util.concurrent.CompletableFuture;

/**
 * The server side of {@link Echo} for both Parley remote calls and Java RMI; runs on the
 * library's call threads and keeps no state.
 */
final class EchoService implements Echo {

    @Override
    public byte[] echo(byte[] payload) {
        return payload;
    }

    @Override
    public CompletableFuture<byte[]> echoAsync(byte[] payload) {
        return CompletableFuture.completedFuture(payload);
    }
}
