package dev.streamtree.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a custom resource against a CRD's openAPIV3Schema the way the API server's structural-schema validation
 * with strict field validation does, for the keywords the spark-operator CRDs use: type, format int32/int64,
 * required, enum, minimum/maximum, pattern, properties (unknown fields are errors), additionalProperties,
 * items, x-kubernetes-preserve-unknown-fields and x-kubernetes-int-or-string. CEL rules are not evaluated.
 */
final class CrdSchemaValidator {

    private CrdSchemaValidator() {
    }

    /** All violations, each as {@code path: problem}; empty when the value is valid. */
    static List<String> validate(JSONSchemaProps schema, JsonNode value) {
        List<String> violations = new ArrayList<>();
        check(schema, value, "", violations);
        return violations;
    }

    private static void check(JSONSchemaProps schema, JsonNode value, String path, List<String> violations) {
        String where = path.isEmpty() ? "." : path;
        if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                violations.add(where + ": must be an integer or a string, got " + kind(value));
            }
            return;
        }
        String type = schema.getType();
        if (type != null && !hasType(value, type)) {
            violations.add(where + ": must be " + type + ", got " + kind(value));
            return;
        }
        if (schema.getEnum() != null && !schema.getEnum().isEmpty()
                && schema.getEnum().stream().noneMatch(allowed -> allowed.equals(value))) {
            violations.add(where + ": " + value + " is not one of " + schema.getEnum());
        }
        if ("int32".equals(schema.getFormat()) && value.isIntegralNumber() && !value.canConvertToInt()) {
            violations.add(where + ": " + value + " does not fit int32");
        }
        if (schema.getMinimum() != null && value.isNumber() && value.asDouble() < schema.getMinimum()) {
            violations.add(where + ": " + value + " is below the minimum " + schema.getMinimum().longValue());
        }
        if (schema.getMaximum() != null && value.isNumber() && value.asDouble() > schema.getMaximum()) {
            violations.add(where + ": " + value + " is above the maximum " + schema.getMaximum().longValue());
        }
        if (schema.getPattern() != null && value.isTextual() && !Pattern.compile(schema.getPattern()).matcher(value.asText()).find()) {
            violations.add(where + ": '" + value.asText() + "' does not match " + schema.getPattern());
        }
        if (value.isObject()) {
            checkObject(schema, value, path, violations);
        }
        if (value.isArray() && schema.getItems() != null && schema.getItems().getSchema() != null) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.getItems().getSchema(), value.get(i), path + "[" + i + "]", violations);
            }
        }
    }

    private static void checkObject(JSONSchemaProps schema, JsonNode value, String path, List<String> violations) {
        Map<String, JSONSchemaProps> properties = schema.getProperties();
        for (String required : schema.getRequired() == null ? List.<String>of() : schema.getRequired()) {
            if (!value.has(required)) {
                violations.add(path + "." + required + ": is required");
            }
        }
        boolean preserveUnknown = Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields());
        JSONSchemaProps additional = schema.getAdditionalProperties() == null ? null : schema.getAdditionalProperties().getSchema();
        boolean isRootMetadata = path.equals(".metadata");
        value.properties().forEach(field -> {
            String fieldPath = path + "." + field.getKey();
            if (properties != null && properties.containsKey(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), fieldPath, violations);
            } else if (additional != null) {
                check(additional, field.getValue(), fieldPath, violations);
            } else if (!preserveUnknown && !isRootMetadata) {
                violations.add(fieldPath + ": unknown field");
            }
        });
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> throw new IllegalArgumentException("schema type '" + type + "' is not supported");
        };
    }

    private static String kind(JsonNode value) {
        return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + value;
    }
}
