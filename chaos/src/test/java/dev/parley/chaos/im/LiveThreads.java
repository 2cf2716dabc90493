package dev.parley.chaos.im;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the threads alive in this JVM, virtual ones included, from the JDK's JSON thread
 * dump (which lists every thread the JDK tracks, as {@code jdk.trackAllThreads} does by default).
 * For leak checks. Stateless.
 */
final class LiveThreads {

    private static final Pattern NAME = Pattern.compile("\"name\": \"([^\"]*)\"");

    private LiveThreads() {
    }

    /** The live threads whose names start with one of {@code prefixes}. */
    static List<String> named(String... prefixes) {
        try {
            Path dump = Files.createTempFile("parley-threads", ".json");
            try {
                Files.delete(dump);
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), ThreadDumpFormat.JSON);
                var names = new ArrayList<String>();
                Matcher matcher = NAME.matcher(Files.readString(dump));
                while (matcher.find()) {
                    for (String prefix : prefixes) {
                        if (matcher.group(1).startsWith(prefix)) {
                            names.add(matcher.group(1));
                        }
                    }
                }
                return names;
            } finally {
                Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
