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
import java.util.zip.ZipFile;

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
        try {
            return yamlDocuments(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every non-empty YAML document in a text, in order. */
    static List<JsonNode> yamlDocuments(String yaml) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
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

    /**
     * A file that {@code ./mvnw -DskipTests package} builds, such as a module's -all jar. This module's pom depends on
     * the modules whose output the deployment files name, so in {@code ./mvnw verify} (and {@code -pl deploy-tests
     * -am}) the reactor has packaged them before these tests run; run without them, the failure says what to do.
     */
    static Path built(String relative) {
        Path file = path(relative);
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(relative + " does not exist: the deployment files run what `./mvnw -DskipTests package`"
                    + " builds; run it (or `./mvnw verify`, which packages every module before deploy-tests' tests)");
        }
        return file;
    }

    /** True when the jar has the compiled class (a {@code .class} entry for its binary name). */
    static boolean jarHasClass(Path jar, String className) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry(className.replace('.', '/') + ".class") != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
