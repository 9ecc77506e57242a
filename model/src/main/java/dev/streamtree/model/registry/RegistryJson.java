package dev.streamtree.model.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.Promotion;
import dev.streamtree.common.registry.VersionId;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON forms of {@code metadata.json} and the lines of {@code history.jsonl}. */
final class RegistryJson {

    private RegistryJson() {
    }

    static String metadataJson(ModelMetadata m) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("created_at", m.createdAt().toString());
        root.put("schema_fingerprint", m.schemaFingerprint());
        m.features().forEach(root.putArray("features")::add);
        m.classes().forEach(root.putArray("classes")::add);
        root.put("training_window", m.trainingWindow());
        root.put("training_rows", m.trainingRows());
        root.put("holdout_rows", m.holdoutRows());
        ObjectNode balance = root.putObject("class_balance");
        new TreeMap<>(m.classBalance()).forEach(balance::put);
        ObjectNode hyper = root.putObject("hyperparameters");
        new TreeMap<>(m.hyperparameters()).forEach(hyper::put);
        ObjectNode metrics = root.putObject("metrics");
        new TreeMap<>(m.metrics()).forEach(metrics::put);
        ObjectNode champion = root.putObject("champion_metrics");
        new TreeMap<>(m.championMetrics()).forEach(champion::put);
        root.put("champion_version", m.championVersion());
        root.put("spark_version", m.sparkVersion());
        root.put("streamtree_version", m.streamtreeVersion());
        if (m.trainingReason() != null) {
            root.put("training_reason", m.trainingReason());
        }
        if (m.changePoint() != null) {
            root.put("change_point", m.changePoint().toString());
        }
        if (m.lakeSnapshotId() != null) {
            root.put("lake_snapshot_id", m.lakeSnapshotId());
        }
        return write(root, true);
    }

    /**
     * @throws IllegalArgumentException when the text is not valid metadata
     */
    static ModelMetadata parseMetadata(String json) {
        JsonNode root = read(json, "metadata.json");
        try {
            return new ModelMetadata(
                    Instant.parse(required(root, "created_at").asText()),
                    required(root, "schema_fingerprint").asText(),
                    strings(required(root, "features")),
                    strings(required(root, "classes")),
                    textOrNull(root, "training_window"),
                    root.path("training_rows").asLong(),
                    root.path("holdout_rows").asLong(),
                    longs(root.path("class_balance")),
                    texts(root.path("hyperparameters")),
                    doubles(root.path("metrics")),
                    doubles(root.path("champion_metrics")),
                    textOrNull(root, "champion_version"),
                    textOrNull(root, "spark_version"),
                    textOrNull(root, "streamtree_version"),
                    textOrNull(root, "training_reason"),
                    root.hasNonNull("change_point") ? Instant.parse(root.get("change_point").asText()) : null,
                    root.hasNonNull("lake_snapshot_id") ? root.get("lake_snapshot_id").asLong() : null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("metadata.json is invalid: " + e.getMessage(), e);
        }
    }

    static String promotionLine(Promotion p) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("at", p.at().toString());
        root.put("from", p.from() == null ? null : p.from().toString());
        root.put("to", p.to().toString());
        root.put("action", p.action());
        root.put("reason", p.reason());
        return write(root, false);
    }

    static List<Promotion> parseHistory(String jsonl) {
        List<Promotion> out = new ArrayList<>();
        int lineNumber = 0;
        for (String line : jsonl.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = read(line, "history.jsonl line " + lineNumber);
            String from = textOrNull(node, "from");
            out.add(new Promotion(Instant.parse(required(node, "at").asText()),
                    from == null ? null : VersionId.parse(from),
                    VersionId.parse(required(node, "to").asText()),
                    required(node, "action").asText(),
                    textOrNull(node, "reason")));
        }
        return out;
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return value;
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, Long> longs(JsonNode object) {
        Map<String, Long> out = new LinkedHashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    private static Map<String, Double> doubles(JsonNode object) {
        Map<String, Double> out = new LinkedHashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }

    private static Map<String, String> texts(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static JsonNode read(String json, String what) {
        try {
            JsonNode node = Json.mapper().readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String write(ObjectNode root, boolean pretty) {
        try {
            return pretty ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root)
                    : Json.mapper().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise registry JSON", e);
        }
    }
}
