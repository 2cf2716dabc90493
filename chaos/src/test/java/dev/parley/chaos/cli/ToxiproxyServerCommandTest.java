package dev.parley.chaos.cli;

import dev.parley.server.cli.ParleyCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code parley chaos} serves the Toxiproxy-compatible API, with the proxies of its config, until stopped. */
class ToxiproxyServerCommandTest {

    private static final Pattern LISTENING = Pattern.compile("API on (http://[^ ]+) \\(seed 42\\)");

    @Test
    void servesTheControlApiWithTheProxiesOfItsConfigUntilItsThreadIsInterrupted(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("proxies.json"),
                "[{\"name\": \"im\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:6666\"},"
                        + " {\"name\": \"game\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:7777\", \"protocol\": \"udp\"}]");
        var listening = new CompletableFuture<String>();
        var out = new Writer() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public synchronized void write(char[] chars, int offset, int length) {
                text.append(chars, offset, length);
                Matcher matcher = LISTENING.matcher(text);
                if (matcher.find()) {
                    listening.complete(matcher.group(1));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        var err = new StringWriter();
        var code = new CompletableFuture<Integer>();
        Thread command = Thread.ofPlatform().name("parley-chaos-under-test").start(() -> code.complete(
                ParleyCommand.commandLine(new ByteArrayInputStream(new byte[0]))
                        .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                        .execute("chaos", "--port", "0", "--seed", "42", "--config", config.toString())));
        try (HttpClient http = HttpClient.newHttpClient()) {
            String api = listening.get(30, TimeUnit.SECONDS);
            HttpResponse<String> proxies = http.send(HttpRequest.newBuilder(URI.create(api + "/proxies")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(proxies.statusCode()).isEqualTo(200);
            assertThat(proxies.body()).contains("\"im\"", "127.0.0.1:6666", "\"game\"", "\"udp\"");
        } finally {
            command.interrupt();
        }
        assertThat(code.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void refusesAConfigThatIsNotAnArrayOfProxiesAndExits(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("proxies.json"), "{\"name\": \"im\"}");
        var err = new StringWriter();

        int code = ParleyCommand.commandLine(new ByteArrayInputStream(new byte[0]))
                .setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(err, true))
                .execute("chaos", "--port", "0", "--config", config.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains(config + ": ").contains("must be a JSON array of proxies");
    }

    @Test
    void answersVersionLikeTheParleyCommandItExtends() {
        var out = new StringWriter();

        int code = ParleyCommand.commandLine(new ByteArrayInputStream(new byte[0]))
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(new StringWriter(), true))
                .execute("chaos", "--version");

        assertThat(code).isZero();
        assertThat(out.toString().lines().findFirst()).hasValueSatisfying(line -> assertThat(line).matches("parley \\d+\\.\\d+\\.\\d+.*"));
    }
}
