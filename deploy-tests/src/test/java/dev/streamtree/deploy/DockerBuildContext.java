package dev.streamtree.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code docker build -f docker/Dockerfile .} sends and copies: the Dockerfile's COPY instructions and the
 * repository root's .dockerignore, matched the way Docker does (moby/patternmatcher): patterns are cleaned paths
 * relative to the context root, {@code *} and {@code ?} stop at {@code /}, {@code **} crosses directories, a
 * pattern that matches a parent directory matches everything below it, {@code !} re-includes, and the last
 * matching pattern decides.
 */
final class DockerBuildContext {

    /** One {@code COPY src... dest} of the Dockerfile (flags such as {@code --chown} dropped). */
    record Copy(List<String> sources, String destination) {
    }

    private record Rule(Pattern pattern, boolean exclusion) {
    }

    private final List<Rule> rules;

    private DockerBuildContext(List<Rule> rules) {
        this.rules = rules;
    }

    /** The rules of a .dockerignore text; an empty text excludes nothing. */
    static DockerBuildContext ignoring(String dockerignore) {
        List<Rule> rules = new ArrayList<>();
        for (String line : dockerignore.split("\n")) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            boolean exclusion = pattern.startsWith("!");
            if (exclusion) {
                pattern = pattern.substring(1).strip();
            }
            pattern = Path.of("/" + pattern).normalize().toString().substring(1);
            rules.add(new Rule(Pattern.compile(regex(pattern)), exclusion));
        }
        return new DockerBuildContext(rules);
    }

    /** True when Docker leaves the path (relative to the context root, {@code /}-separated) out of the context. */
    boolean excludes(String relative) {
        List<String> parents = new ArrayList<>();
        String[] parts = relative.split("/");
        for (int i = 1; i < parts.length; i++) {
            parents.add(String.join("/", Arrays.copyOf(parts, i)));
        }
        boolean excluded = false;
        for (Rule rule : rules) {
            boolean matches = rule.pattern().matcher(relative).matches()
                    || parents.stream().anyMatch(parent -> rule.pattern().matcher(parent).matches());
            if (matches) {
                excluded = !rule.exclusion();
            }
        }
        return excluded;
    }

    /** Every regular file under {@code root} that the context would hold, as {@code /}-separated relative paths. */
    List<String> included(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> root.relativize(file).toString().replace('\\', '/'))
                    .filter(relative -> !excludes(relative))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The COPY instructions of a Dockerfile, in order (single-line instructions; JSON form included). */
    static List<Copy> copies(String dockerfile) {
        List<Copy> copies = new ArrayList<>();
        for (String line : dockerfile.split("\n")) {
            String instruction = line.strip();
            if (!instruction.regionMatches(true, 0, "COPY ", 0, 5)) {
                continue;
            }
            String arguments = instruction.substring(5).strip();
            List<String> words = new ArrayList<>();
            if (arguments.startsWith("[")) {
                for (String word : arguments.substring(1, arguments.lastIndexOf(']')).split(",")) {
                    words.add(word.strip().replaceAll("^\"|\"$", ""));
                }
            } else {
                words.addAll(Arrays.asList(arguments.split("\\s+")));
            }
            words.removeIf(word -> word.startsWith("--"));
            if (words.size() < 2) {
                throw new IllegalArgumentException("COPY without a source and a destination: " + line);
            }
            copies.add(new Copy(List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1)));
        }
        return copies;
    }

    private static String regex(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                i++;
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                    i++;
                    regex.append("(.*/)?");
                } else {
                    regex.append(".*");
                }
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else if (c == '[') {
                int end = pattern.indexOf(']', i);
                regex.append(pattern, i, end + 1);
                i = end;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
