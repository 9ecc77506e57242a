package dev.streamtree.common.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes schema files.
 *
 * <pre>{@code
 * {"name": "agrawal", "idField": "id", "eventTimeField": "event_time",
 *  "features": [{"name": "salary", "type": "numeric", "min": 20000, "max": 150000},
 *               {"name": "car", "type": "categorical", "values": ["1", "2"]}],
 *  "label": {"name": "label", "classes": ["A", "B"]}}
 * }</pre>
 *
 * A schema location is either a file path or {@code builtin:NAME} for a schema shipped in this jar
 * ({@code builtin:agrawal}).
 */
public final class SchemaCodec {

    public static final String BUILTIN_PREFIX = "builtin:";

    private SchemaCodec() {
    }

    /**
     * Loads a schema from a file path or a {@code builtin:NAME} location.
     *
     * @throws IllegalArgumentException when the file is missing, is not JSON, or the schema is invalid;
     *                                  the message names the location and the problem
     */
    public static EventSchema load(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("schema location is empty");
        }
        if (location.startsWith(BUILTIN_PREFIX)) {
            String name = location.substring(BUILTIN_PREFIX.length());
            String resource = "/schemas/" + name + ".json";
            try (InputStream in = SchemaCodec.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no built-in schema '" + name + "' (known: builtin:agrawal)");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), location);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read built-in schema " + location, e);
            }
        }
        Path path = Path.of(location);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("schema file '" + location + "' does not exist or is not a file");
        }
        try {
            return parse(Files.readString(path), location);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read schema file '" + location + "': " + e.getMessage(), e);
        }
    }

    /** Parses schema JSON; {@code origin} names the source in error messages. */
    public static EventSchema parse(String json, String origin) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("schema " + origin + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("schema " + origin + " must be a JSON object");
        }
        try {
            List<Feature> features = new ArrayList<>();
            JsonNode featureNodes = root.path("features");
            if (!featureNodes.isArray()) {
                throw new IllegalArgumentException("'features' must be an array");
            }
            for (JsonNode node : featureNodes) {
                features.add(feature(node));
            }
            LabelSpec label = null;
            JsonNode labelNode = root.get("label");
            if (labelNode != null && !labelNode.isNull()) {
                label = new LabelSpec(text(labelNode, "name"), strings(labelNode.path("classes"), "label classes"));
            }
            return new EventSchema(text(root, "name"), text(root, "idField"), text(root, "eventTimeField"), features, label);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("schema " + origin + ": " + e.getMessage(), e);
        }
    }

    private static Feature feature(JsonNode node) {
        String name = text(node, "name");
        String type = text(node, "type").toUpperCase(Locale.ROOT);
        return switch (type) {
            case "NUMERIC" -> Feature.numeric(name, number(node, "min"), number(node, "max"));
            case "CATEGORICAL" -> Feature.categorical(name, strings(node.path("values"), "values of '" + name + "'"));
            default -> throw new IllegalArgumentException("feature '" + name + "' has type '" + text(node, "type")
                    + "'; expected numeric or categorical");
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return value.asText();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("'" + field + "' must be a number");
        }
        return value.doubleValue();
    }

    private static List<String> strings(JsonNode node, String what) {
        if (!node.isArray()) {
            throw new IllegalArgumentException(what + " must be an array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode element : node) {
            if (!(element.isTextual() || element.isIntegralNumber())) {
                throw new IllegalArgumentException(what + " must be strings, got " + element);
            }
            out.add(element.asText());
        }
        return out;
    }

    /** Canonical JSON of a schema: the same schema always gives the same text. */
    public static String toJson(EventSchema schema) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("name", schema.name());
        root.put("idField", schema.idField());
        root.put("eventTimeField", schema.eventTimeField());
        ArrayNode features = root.putArray("features");
        for (Feature f : schema.features()) {
            ObjectNode node = features.addObject();
            node.put("name", f.name());
            node.put("type", f.type().name().toLowerCase(Locale.ROOT));
            if (f.isNumeric()) {
                if (f.min() != null) {
                    node.put("min", f.min());
                }
                if (f.max() != null) {
                    node.put("max", f.max());
                }
            } else {
                ArrayNode values = node.putArray("values");
                f.values().forEach(values::add);
            }
        }
        schema.labelSpec().ifPresent(l -> {
            ObjectNode label = root.putObject("label");
            label.put("name", l.name());
            ArrayNode classes = label.putArray("classes");
            l.classes().forEach(classes::add);
        });
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fingerprint(EventSchema schema) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(toJson(schema).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
