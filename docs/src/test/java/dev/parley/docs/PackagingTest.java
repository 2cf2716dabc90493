package dev.parley.docs;

import dev.parley.server.cli.ParleyCommand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Dockerfile and the systemd unit start parley with arguments that parley accepts. */
class PackagingTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void theDockerfilesDefaultCommandIsAServerCommandParleyAccepts() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("dist/docker/Dockerfile"));
        var cmd = Pattern.compile("(?m)^CMD \\[(.*)]$").matcher(dockerfile);
        assertThat(cmd.find()).as("a CMD line in exec form").isTrue();
        List<String> args = Arrays.stream(cmd.group(1).split(","))
                .map(arg -> arg.strip().replaceAll("^\"|\"$", "")).toList();

        assertThat(args).startsWith("server");
        assertAccepted(args);
    }

    @Test
    void theSystemdUnitStartsTheJarWithAServerCommandParleyAccepts() throws IOException {
        String unit = Files.readString(ROOT.resolve("dist/systemd/parley.service"));
        var exec = Pattern.compile("(?m)^ExecStart=\\S+ -jar \\S+parley\\.jar (.*)$").matcher(unit);
        assertThat(exec.find()).as("an ExecStart line that runs parley.jar").isTrue();
        List<String> args = List.of(exec.group(1).strip().split(" +"));

        assertThat(args).startsWith("server");
        assertAccepted(args);
    }

    private static void assertAccepted(List<String> args) {
        var parsed = ParleyCommand.commandLine(new ByteArrayInputStream(new byte[0]))
                .parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(args.getFirst());
        assertThat(parsed.subcommand().unmatched()).isEmpty();
    }
}
