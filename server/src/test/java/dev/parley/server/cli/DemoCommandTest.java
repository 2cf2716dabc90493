package dev.parley.server.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {

    @Test
    void playsTheWholeConversationAndExitsZero() {
        var run = CommandRun.run("", "demo", "--transport", "memory");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.outLines()).first().asString().startsWith("== demo over memory, server on 127.0.0.1:");
        assertThat(run.outLines()).containsSubsequence(
                "alice < online alice=online",
                "alice < online +bob=online",
                "bob   < online +carol=online",
                "alice < online +carol=online",
                "alice > /invite bob carol",
                "bob   < invited 1 by alice",
                "carol > /join 1",
                "carol < message 1 #1 alice: Hi both, lunch at noon?",
                "alice < online +bob=away",
                "carol < conversations 1=[alice, bob, carol]",
                "carol < error SendMessage: not a member of conversation 1",
                "bob   < message 1 #4 alice: Carol left; see you at noon, Bob.",
                "alice < online -bob",
                "alice < online -carol",
                "alice > /quit");
        assertThat(run.outLines()).filteredOn(line -> line.startsWith("stats "))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).matches("stats \\w+ +sent \\d+ frames \\(\\d+ bytes\\), received \\d+ frames \\(\\d+ bytes\\).*"));
    }
}
