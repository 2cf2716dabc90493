package dev.parley.examples;

import dev.parley.examples.cli.ExampleException;
import dev.parley.examples.cli.ExampleTask;
import dev.parley.examples.cli.ServerAddress;
import picocli.CommandLine.Mixin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;

/**
 * The interactive client of the echo and time-stamped echo examples: connects, then runs
 * {@link LineClient#converse} over standard input until it ends or {@link #ends} says so.
 */
public abstract class LineClientCommand extends ExampleTask {

    @Mixin
    private ServerAddress server;

    /** True for the line that ends the conversation without being sent. */
    protected abstract boolean ends(String line);

    @Override
    protected final void run() throws Exception {
        try (LineClient client = server.connect(LineClient::connect)) {
            client.converse(new BufferedReader(new InputStreamReader(in(), Charset.defaultCharset())), out(), this::ends);
        } catch (IOException e) {
            throw ExampleException.failed("lost the server at " + server.describe() + ": " + e.getMessage());
        }
    }
}
