package dev.parley.codec;

import com.esotericsoftware.kryo.util.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link Codec} does to Kryo's JVM-wide {@code kryo.unsafe} switch, each case in a fresh JVM
 * (Kryo takes its decision once per class loader, so the test's own JVM cannot show it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KryoUnsafeSwitchTest {

    /** A class that is not a record: Kryo's FieldSerializer writes it, the one user of the switch. */
    public static class Plain {
        public int count;
        String name;

        public Plain() {
        }
    }

    /** Run in the fresh JVM: uses a codec with a plain class, then reports the switch. */
    public static void main(String[] args) {
        var codec = Codec.builder().register(Codec.FIRST_USER_ID, Plain.class).build();
        var plain = new Plain();
        plain.count = 7;
        plain.name = "seven";
        var back = (Plain) codec.decode(codec.encode(plain));
        System.out.println("property=" + System.getProperty("kryo.unsafe") + " unsafe=" + Util.isUnsafeAvailable()
                + " roundTrip=" + (back.count == 7 && "seven".equals(back.name)));
    }

    @Test
    void turnsUnsafeOffForKryoButLeavesTheSystemPropertyAsItWas() throws Exception {
        var run = runFresh();

        assertThat(run.stdout()).isEqualTo("property=null unsafe=false roundTrip=true");
        assertThat(run.stderr()).as("no JDK warning about sun.misc.Unsafe").doesNotContain("sun.misc.Unsafe");
    }

    @Test
    void keepsAnExplicitChoice() throws Exception {
        var run = runFresh("-Dkryo.unsafe=true");

        assertThat(run.stdout()).startsWith("property=true unsafe=").endsWith("roundTrip=true");
    }

    private record Run(String stdout, String stderr) {
    }

    private static Run runFresh(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KryoUnsafeSwitchTest.class.getName()));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        var stderr = new String[1];
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                stderr[0] = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                stderr[0] = e.toString();
            }
        });
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        drain.join();
        assertThat(process.exitValue()).as("exit status; stderr: %s", stderr[0]).isZero();
        return new Run(stdout, stderr[0]);
    }
}
