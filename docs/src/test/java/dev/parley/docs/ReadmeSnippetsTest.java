package dev.parley.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java block of README.md and of the modules' READMEs is, verbatim (but for its indentation),
 * a region of a source file that compiles and runs in a test, so a snippet cannot rot unseen.
 *
 * <p>A region starts at a line {@code // snippet NAME} and ends at the next {@code // end snippet};
 * the marker lines are not part of it, and a later {@code // snippet NAME} in the same file goes on
 * with it (so a snippet can leave out what only the test needs). Regions live in any module's {@code src/main/java} or
 * {@code src/test/java} (the longer snippets of the READMEs in this module's test sources), and every
 * region must be shown by some README, so none is kept up to date for nothing.
 */
class ReadmeSnippetsTest {

    private static final String START = "// snippet ";
    private static final String END = "// end snippet";
    private static final String FENCE = "```";

    /** The repository: surefire runs in this module's folder. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void everyJavaBlockOfTheReadmesIsARegionOfCompiledAndTestedSource() throws IOException {
        Map<String, String> regions = regions();
        List<String> unmatched = new ArrayList<>();
        for (Path readme : readmes()) {
            for (String block : javaBlocks(readme)) {
                if (!regions.containsValue(block)) {
                    unmatched.add(ROOT.relativize(readme) + ":\n" + block);
                }
            }
        }
        assertThat(unmatched).as("README Java blocks that are no snippet region of a source file").isEmpty();
    }

    @Test
    void everySnippetRegionIsShownByAReadme() throws IOException {
        List<String> blocks = new ArrayList<>();
        for (Path readme : readmes()) {
            blocks.addAll(javaBlocks(readme));
        }
        assertThat(regions()).as("snippet regions that no README shows").allSatisfy((name, region) ->
                assertThat(blocks).as(name).contains(region));
    }

    @Test
    void theReadmesCoordinatesNameTheVersionThisBuildMakes() throws IOException {
        String version = System.getProperty("parley.version");
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(version).isNotBlank();
        assertThat(readme).contains("<version>" + version + "</version>", "parley-bom:" + version);
        assertThat(Pattern.compile("\\d+\\.\\d+\\.\\d+-SNAPSHOT").matcher(readme).results().map(MatchResult::group))
                .as("every version the README names").containsOnly(version);
    }

    @Test
    void findsTheReadmesAndTheirSnippets() throws IOException {
        assertThat(readmes()).contains(ROOT.resolve("README.md"), ROOT.resolve("chaos/README.md"));
        assertThat(regions().keySet()).anyMatch(name -> name.endsWith("Hello.java#readme-first-endpoint"));
    }

    private static List<Path> readmes() throws IOException {
        List<Path> readmes = new ArrayList<>();
        readmes.add(ROOT.resolve("README.md"));
        try (Stream<Path> modules = Files.list(ROOT)) {
            modules.map(module -> module.resolve("README.md")).filter(Files::isRegularFile).sorted()
                    .forEach(readmes::add);
        }
        return readmes;
    }

    /** The Java blocks of a Markdown file, each without its fences and its common indentation. */
    static List<String> javaBlocks(Path markdown) throws IOException {
        List<String> blocks = new ArrayList<>();
        List<String> block = null;
        for (String line : Files.readAllLines(markdown)) {
            if (block == null && line.strip().equals(FENCE + "java")) {
                block = new ArrayList<>();
            } else if (block != null && line.strip().equals(FENCE)) {
                blocks.add(dedent(block));
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        return blocks;
    }

    /** Every marked region of the modules' Java sources, by name. */
    private static Map<String, String> regions() throws IOException {
        Map<String, List<String>> regions = new LinkedHashMap<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(ROOT, 12)) {
            sources = files.filter(path -> path.toString().endsWith(".java"))
                    .map(ROOT::relativize)
                    .filter(path -> path.toString().contains("src/") && !path.toString().contains("target/"))
                    .map(ROOT::resolve)
                    .sorted().toList();
        }
        sources.forEach(source -> regionsOf(source, regions));
        Map<String, String> dedented = new LinkedHashMap<>();
        regions.forEach((name, lines) -> dedented.put(name, dedent(lines)));
        return dedented;
    }

    /** A region may pause (end snippet) and go on under the same name further down the same file. */
    private static void regionsOf(Path source, Map<String, List<String>> regions) {
        List<String> lines;
        try {
            lines = Files.readAllLines(source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> region = null;
        for (String line : lines) {
            String marker = line.strip();
            if (region == null && marker.startsWith(START)) {
                region = regions.computeIfAbsent(source + "#" + marker.substring(START.length()).strip(),
                        name -> new ArrayList<>());
            } else if (region != null && marker.equals(END)) {
                region = null;
            } else if (region != null) {
                region.add(line);
            }
        }
        assertThat(region).as("a snippet of %s has no end", source).isNull();
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line.isBlank() ? "" : line.substring(indent).stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
