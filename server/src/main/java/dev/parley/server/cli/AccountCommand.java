package dev.parley.server.cli;

import dev.parley.server.Accounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code parley account add|remove|list}: keeps the account file a server reads with
 * {@code parley server --accounts FILE} (format in {@link Accounts}). {@code add} reads the
 * password from the console without echo, twice, when there is one; otherwise one line of standard
 * input, so that scripts can pipe it in. Never prints a password. Runs on the calling thread.
 */
@Command(name = "account", mixinStandardHelpOptions = true,
        description = {"Add, remove or list the accounts of a server run with --accounts FILE.",
                "Passwords are stored as salted PBKDF2-HMAC-SHA256 hashes; see SECURITY.md."})
final class AccountCommand implements Callable<Integer> {

    private static final String FILE_HELP = "the account file (default: " + Accounts.DEFAULT_FILE_NAME + ")";

    @ParentCommand
    private ParleyCommand parent;

    @Spec
    private CommandSpec spec;

    /** Without a subcommand: say which there are. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("parley account: which one? add, remove, list (see 'parley account --help')");
        return ParleyCommand.USAGE;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add an account, reading its password from the console or one line of standard input.")
    int add(@Parameters(paramLabel = "NAME", description = "the username") String name,
            @Option(names = "--accounts", paramLabel = "FILE", defaultValue = Accounts.DEFAULT_FILE_NAME,
                    description = FILE_HELP) Path file,
            @Option(names = "--replace", description = "change the password of an existing account") boolean replace,
            @Option(names = "--iterations", paramLabel = "N", defaultValue = "" + Accounts.DEFAULT_ITERATIONS,
                    description = "PBKDF2 iterations, " + Accounts.MIN_ITERATIONS + " to " + Accounts.MAX_ITERATIONS
                            + "; fewer are faster to guess (default: ${DEFAULT-VALUE})") int iterations)
            throws IOException {
        Accounts accounts = load("add", file, true);
        if (accounts == null) {
            return ParleyCommand.FAILED;
        }
        boolean exists = accounts.contains(name);
        if (exists && !replace) {
            return fail("add", "account " + name + " exists; use --replace to change its password");
        }
        String lookAlike = accounts.lookAlikeOf(name);
        if (!exists && lookAlike != null) {
            return fail("add", name + " looks like the account " + lookAlike + "; choose a name that cannot pass for it");
        }
        char[] password = readPassword(name);
        if (password == null) {
            return ParleyCommand.FAILED;
        }
        try {
            accounts.with(name, password, iterations).save(file);
        } catch (IllegalArgumentException e) {
            return fail("add", e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
        spec.commandLine().getOut().println((exists ? "changed the password of " : "added account ") + name
                + " in " + file);
        return ParleyCommand.OK;
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an account.")
    int remove(@Parameters(paramLabel = "NAME", description = "the username") String name,
               @Option(names = "--accounts", paramLabel = "FILE", defaultValue = Accounts.DEFAULT_FILE_NAME,
                       description = FILE_HELP) Path file) throws IOException {
        Accounts accounts = load("remove", file, false);
        if (accounts == null) {
            return ParleyCommand.FAILED;
        }
        if (!accounts.contains(name)) {
            return fail("remove", "no account " + name + " in " + file);
        }
        accounts.without(name).save(file);
        spec.commandLine().getOut().println("removed account " + name + " from " + file);
        return ParleyCommand.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the account names, one a line.")
    int list(@Option(names = "--accounts", paramLabel = "FILE", defaultValue = Accounts.DEFAULT_FILE_NAME,
            description = FILE_HELP) Path file) {
        Accounts accounts = load("list", file, false);
        if (accounts == null) {
            return ParleyCommand.FAILED;
        }
        accounts.names().forEach(spec.commandLine().getOut()::println);
        return ParleyCommand.OK;
    }

    /** The accounts in {@code file} (none if it is missing and {@code mayBeNew}), or null after saying why not. */
    private Accounts load(String command, Path file, boolean mayBeNew) {
        try {
            return Accounts.load(file);
        } catch (NoSuchFileException e) {
            if (mayBeNew) {
                return Accounts.none();
            }
            fail(command, "no account file " + file);
        } catch (IOException e) {
            fail(command, e.getMessage());
        }
        return null;
    }

    /**
     * The password for {@code name}: typed twice on the console without echo when {@code parley} reads
     * the real standard input and there is a console, else the first line of standard input. Null
     * after saying why there is none.
     */
    private char[] readPassword(String name) throws IOException {
        Console console = parent.in() == System.in ? System.console() : null;
        if (console != null) {
            char[] password = console.readPassword("password for %s: ", name);
            char[] again = console.readPassword("the same again: ");
            boolean same = password != null && Arrays.equals(password, again);
            if (again != null) {
                Arrays.fill(again, '\0');
            }
            if (!same) {
                fail("add", "the two passwords differ");
                return null;
            }
            return password;
        }
        var input = new BufferedReader(new InputStreamReader(parent.in(), Charset.defaultCharset()));
        String line = input.readLine();
        if (line == null || line.isEmpty()) {
            fail("add", "no password: type it, or give it as one line on standard input");
            return null;
        }
        return line.toCharArray();
    }

    /** Says in one line why {@code parley account command} failed; returns the exit code for it. */
    private int fail(String command, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("parley account " + command + ": " + message);
        err.flush();
        return ParleyCommand.FAILED;
    }
}
