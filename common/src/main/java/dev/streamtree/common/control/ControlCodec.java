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
        } else if (message instanceof ControlMessage.RetrainStatus s) {
            node.put("type", ControlMessage.STATUS_TYPE);
            node.put("request_id", s.requestId());
            node.put("status", s.status().wireName());
            node.put("version", s.version());
            node.put("detail", s.detail());
            node.put("at", s.at().toString());
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
                        node.path("force").asBoolean(false), node.path("requested_by").asText("")));
                case ControlMessage.STATUS_TYPE -> Optional.of(new ControlMessage.RetrainStatus(
                        text(node, "request_id"), ControlMessage.Status.parse(text(node, "status")),
                        node.hasNonNull("version") ? node.get("version").asText() : null,
                        node.path("detail").asText(""), Instant.parse(text(node, "at"))));
                default -> Optional.empty();
            };
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(type + " has an invalid time: " + e.getParsedString(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("control message lacks string field '" + field + "': " + node);
        }
        return value.asText();
    }
}
