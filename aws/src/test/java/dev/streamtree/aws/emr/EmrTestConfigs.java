package dev.streamtree.aws.emr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The shipped example config, read from the repository, optionally edited for a test. */
public final class EmrTestConfigs {

    /** deploy/emr/streamtree-emr.example.json, relative to the aws module directory Maven runs tests in. */
    public static final Path EXAMPLE = Path.of("..", "deploy", "emr", "streamtree-emr.example.json");

    private EmrTestConfigs() {
    }

    public static ObjectNode exampleJson() {
        try {
            return (ObjectNode) Json.mapper().readTree(Files.readString(EXAMPLE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the example, changed by {@code edit}, to {@code dir/emr.json} and returns its path. */
    public static Path write(Path dir, Consumer<ObjectNode> edit) {
        ObjectNode json = exampleJson();
        edit.accept(json);
        Path file = dir.resolve("emr.json");
        try {
            Files.writeString(file, json.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
