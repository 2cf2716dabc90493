package dev.parley.im;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RegisterTest {

    @Test
    void neverShowsThePasswordInItsText() {
        var register = new Register("alice", "online", "correct horse");

        assertThat(register.toString())
                .isEqualTo("Register[username=alice, status=online, password=(hidden), protocolVersion=" + ImProtocol.VERSION + ", resumeFrom={}]")
                .doesNotContain("correct horse");
    }

    @Test
    void registersWithoutAPasswordWhenGivenNone() {
        assertThat(new Register("alice", "online")).isEqualTo(new Register("alice", "online", ""));
        assertThat(new Register("alice", "online").toString()).endsWith("password=(none), protocolVersion=" + ImProtocol.VERSION + ", resumeFrom={}]");
    }
}
