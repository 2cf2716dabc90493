package dev.parley.chaos;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The extension hands each test a running server and names the seed of a failed one. */
class ChaosExtensionTest {

    @Test
    void givesATestARunningServerAndPrintsTheSeedWhenTheTestFails() {
        var results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition")
                .selectors(selectClass(Sample.class))
                .execute();

        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
        Throwable failure = results.testEvents().failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(failure.getSuppressed()).singleElement().extracting(Throwable::getMessage).asString()
                .matches("parley-chaos seed -?\\d+ \\(replay with -Dparley.chaos.seed=-?\\d+\\)");
    }

    /** Run by the test above through the engine test kit, not by Surefire directly. */
    @ExtendWith(ChaosExtension.class)
    @Disabled("run through EngineTestKit by ChaosExtensionTest")
    static class Sample {

        @Test
        void hasAServer(ChaosServer chaos) throws Exception {
            var proxy = chaos.createProxy("p", Protocol.TCP, "127.0.0.1:0", "127.0.0.1:9");
            assertThat(proxy.isEnabled()).isTrue();
            assertThat(chaos.controlAddress().getPort()).isPositive();
        }

        @Test
        void fails(ChaosServer chaos) {
            assertThat(chaos.proxies()).isNotEmpty();
        }
    }
}
