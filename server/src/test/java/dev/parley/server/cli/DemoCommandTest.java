package dev.parley.server.cli;

import dev.parley.server.store.RedisFixture;
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

    @Test
    void clusterKillsANodeMidConversationAndShowsNothingLost() {
        RedisFixture.requireRedisServer();

        var run = CommandRun.run("", "demo", "--cluster");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).first().asString().startsWith("== demo --cluster over tcp: redis-server on 127.0.0.1:");
        assertThat(run.outLines()).filteredOn(line -> line.startsWith("node ") && line.contains(" listens on "))
                .hasSize(3);
        assertThat(run.outLines()).containsSubsequence(
                "alice < online alice=online bob=online carol=online",
                "carol < online alice=online bob=online carol=online",
                "alice > /invite bob carol",
                "carol > /join 1",
                "carol < message 1 #3 carol: And from node three.",
                "alice > /say 1 count 1   ... /say 1 count 10   (all at once)",
                "== node one, alice's node, killed with SIGKILL once 3 of her 10 messages were acknowledged ==",
                "all 10 of alice's messages acknowledged",
                "alice < count 1 .. count 10 as #4 .. #13: each once, in order",
                "bob   < count 1 .. count 10 as #4 .. #13: each once, in order",
                "carol < count 1 .. count 10 as #4 .. #13: each once, in order",
                "alice < message 1 #14 bob: Welcome back, alice.",
                "== nothing lost: every member got every message once, in one order, through a node killed with SIGKILL ==");
    }

    @Test
    void clusterRefusesTheMemoryTransportAndSeveralTransports() {
        var memory = CommandRun.run("", "demo", "--cluster", "--transport", "memory");
        var several = CommandRun.run("", "demo", "--cluster", "--transport", "tcp,udp");

        assertThat(memory.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(memory.err()).contains("needs a network transport, not memory");
        assertThat(several.exitCode()).isEqualTo(ParleyCommand.USAGE);
        assertThat(several.err()).contains("plays over one transport, not [tcp, udp]");
    }
}
