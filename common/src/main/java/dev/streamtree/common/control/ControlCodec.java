package dev.streamtree.common.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** JSON encoding of {@link ControlMessage}s, the control topic's wire format. */
public final class ControlCodec {

    private ControlCodec() {
    }

    public static byte[] encode(ControlMessage message) {
        ObjectNode node = Json.mapper().createObjectNode();
        if (message instanceof ControlMessage.RetrainRequest r) {
            node.put("type", ControlMessage.REQUEST_TYPE);
            node.put("request_id", r.requestId());
            node.put("requested_at", r.requestedAt().toString());
            node.put("force", r.force());
            node.put("requested_by", r.requestedBy());
            node.put("reason", r.reason().wireName());
            if (r.trainFrom() != null) {
                node.put("train_from", r.trainFrom().toString());
            }
        } else if (message instanceof ControlMessage.RetrainStatus s) {
            node.put("type", ControlMessage.STATUS_TYPE);
            node.put("request_id", s.requestId());
            node.put("status", s.status().wireName());
            node.put("version", s.version());
            node.put("detail", s.detail());
            node.put("at", s.at().toString());
        } else if (message instanceof ControlMessage.DriftDetected d) {
            node.put("type", ControlMessage.DRIFT_TYPE);
            node.put("request_id", d.requestId());
            node.put("version", d.version());
            node.put("detector", d.detector());
            node.put("detected_at", d.detectedAt().toString());
            node.put("change_point", d.changePoint().toString());
            node.put("change_point_exact", d.changePointExact());
            node.put("error_before", d.errorBefore());
            node.put("error_after", d.errorAfter());
            node.put("labelled", d.labelled());
            node.put("items_after_change", d.itemsAfterChange());
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes a control-topic value.
     *
     * @return empty for JSON of another {@code type} (the topic may carry messages for other consumers)
     * @throws IllegalArgumentException when the value is not JSON or a known message lacks a field
     */
    public static Optional<ControlMessage> decode(byte[] value) {
        JsonNode node;
        try {
            node = value == null ? null : Json.mapper().readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("control message is not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("control message is not a JSON object");
        }
        String type = node.path("type").asText("");
        try {
            return switch (type) {
                case ControlMessage.REQUEST_TYPE -> Optional.of(new ControlMessage.RetrainRequest(
                        text(node, "request_id"), Instant.parse(text(node, "requested_at")),
                        node.path("force").asBoolean(false), node.path("requested_by").asText(""),
                        node.hasNonNull("reason") ? ControlMessage.Reason.parse(node.get("reason").asText())
                                : ControlMessage.Reason.REQUEST,
                        node.hasNonNull("train_from") ? Instant.parse(node.get("train_from").asText()) : null));
                case ControlMessage.STATUS_TYPE -> Optional.of(new ControlMessage.RetrainStatus(
                        text(node, "request_id"), ControlMessage.Status.parse(text(node, "status")),
                        node.hasNonNull("version") ? node.get("version").asText() : null,
                        node.path("detail").asText(""), Instant.parse(text(node, "at"))));
                case ControlMessage.DRIFT_TYPE -> Optional.of(new ControlMessage.DriftDetected(
                        text(node, "request_id"), text(node, "version"), text(node, "detector"),
                        Instant.parse(text(node, "detected_at")), Instant.parse(text(node, "change_point")),
                        node.path("change_point_exact").asBoolean(true), number(node, "error_before"),
                        number(node, "error_after"), node.path("labelled").asLong(0),
                        node.path("items_after_change").asLong(0)));
                default -> Optional.empty();
            };
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(type + " has an invalid time: " + e.getParsedString(), e);
        }
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("control message lacks number field '" + field + "': " + node);
        }
        return value.asDouble();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("control message lacks string field '" + field + "': " + node);
        }
        return value.asText();
    }
}
