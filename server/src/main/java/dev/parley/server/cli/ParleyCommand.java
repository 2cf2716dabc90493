package dev.parley.server.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * The {@code parley} command line: {@code parley server}, {@code parley chat}, {@code parley demo} and
 * {@code parley account}, plus the subcommands other modules add as {@link ParleyExtension}s.
 *
 * <p>Exit codes: {@value #OK} success; {@value #FAILED} the command could not do its job (a port
 * taken, a name refused, a demo that went wrong); {@value #USAGE} a usage error or an unreachable
 * server; {@value #DISCONNECTED} the server went away during a chat. No command prints a stack
 * trace for an expected failure.
 *
 * <p>Runs on the thread that calls {@link #main} (or {@link CommandLine#execute}); each command says
 * which threads it starts.
 */
// INHERIT: every subcommand, extensions' too, answers --version with the same provider.
@Command(name = "parley", mixinStandardHelpOptions = true, versionProvider = ParleyCommand.Version.class,
        scope = ScopeType.INHERIT,
        description = "Typed messages over TCP or reliable UDP, and an instant-messaging server built on them.",
        subcommands = {ServerCommand.class, ChatCommand.class, DemoCommand.class, AccountCommand.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Options may also be read from a file: parley @FILE reads one argument a line (picocli's @argfiles).",
                "Completion for bash and zsh: source <(parley generate-completion)"})
public final class ParleyCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int DISCONNECTED = 3;

    private final InputStream in;

    @Spec
    private CommandSpec spec;

    /** A command that reads typed input (for {@code parley chat}) from {@code in}. */
    public ParleyCommand(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.in).execute(args));
    }

    /** The command line, configured as {@link #main} runs it, reading typed input from {@code in}. */
    public static CommandLine commandLine(InputStream in) {
        var parley = new CommandLine(new ParleyCommand(in));
        ServiceLoader.load(ParleyExtension.class).forEach(extension -> parley.addSubcommand(extension.command()));
        // Listed in the footer, not among the commands a user picks from (nor suggested for a typo).
        parley.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(true);
        return parley
                .setCaseInsensitiveEnumValuesAllowed(true)
                // A usage error is one line saying what is wrong and where help is, not a page of usage.
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine command = e.getCommandLine();
                    command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage()
                            + suggestions(e) + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
                    command.getErr().flush();
                    return USAGE;
                })
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println("parley " + commandLine.getCommandName() + ": " + e);
                    commandLine.getErr().flush();
                    return FAILED;
                });
    }

    /** "; did you mean ...?" for a mistyped command or option, else nothing. */
    private static String suggestions(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            return "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
        }
        return "";
    }

    /** Where {@code parley chat} reads its commands. */
    InputStream in() {
        return in;
    }

    /** Without a command: say which there are. */
    @Override
    public Integer call() {
        var names = spec.commandLine().getSubcommands().entrySet().stream()
                .filter(entry -> !entry.getKey().equals("help") && !entry.getValue().getCommandSpec().usageMessage().hidden())
                .map(Map.Entry::getKey)
                .toList();
        spec.commandLine().getErr().println("parley: which command? " + String.join(", ", names));
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** The version the build wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var properties = new Properties();
            try (var stream = ParleyCommand.class.getResourceAsStream("version.properties")) {
                if (stream != null) {
                    properties.load(stream);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"parley " + properties.getProperty("version", "(unknown version)"),
                    "Java " + Runtime.version()};
        }
    }
}
