package dev.parley.server.cli;

/**
 * A subcommand another module adds to {@code parley} (for example {@code parley example}),
 * found through {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.parley.server.cli.ParleyExtension}.
 */
public interface ParleyExtension {

    /**
     * The command object: a class annotated with picocli's {@code @Command}, whose name becomes the
     * subcommand's. It may return an exit code from {@code call()} like the built-in commands.
     */
    Object command();
}
