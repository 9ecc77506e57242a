package dev.streamtree.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Files of the repository, seen from the deploy-tests module directory Maven runs the tests in. */
final class RepoFiles {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final YAMLMapper YAML = new YAMLMapper();

    private RepoFiles() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every YAML document in a file, in order. */
    static List<JsonNode> yamlDocuments(Path file) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
            return documents.readAll().stream().filter(doc -> doc != null && !doc.isNull() && !doc.isMissingNode()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project version from the root pom (the first {@code <version>} after {@code <artifactId>streamtree-parent}). */
    static String projectVersion() {
        Matcher matcher = Pattern.compile("<artifactId>streamtree-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(read("pom.xml"));
        if (!matcher.find()) {
            throw new IllegalStateException("no streamtree-parent version in the root pom.xml");
        }
        return matcher.group(1);
    }

    /** The shaded jar Maven builds for a job module: {@code <module>/target/streamtree-<module>-<version>-all.jar}. */
    static String shadedJar(String module) {
        return module + "/target/streamtree-" + module + "-" + projectVersion() + "-all.jar";
    }

    /** True when the main class has a source file in the module. */
    static boolean hasSource(String module, String className) {
        return Files.isRegularFile(path(module + "/src/main/java/" + className.replace('.', '/') + ".java"));
    }
}
