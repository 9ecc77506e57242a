package dev.streamtree.testing.iam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A shipped identity policy (deploy/iam/*.json), evaluated the way IAM evaluates an identity policy on its own:
 * a request is allowed when some Allow statement matches its action (case-insensitive, {@code *}/{@code ?}
 * wildcards), its resource ({@code *}/{@code ?} wildcards) and every condition. Conditions: {@code StringEquals},
 * {@code StringLike}, {@code ArnEquals}, {@code ArnLike}; several keys in one operator must all match, several
 * values of one key are alternatives, and a key the request does not carry never matches (no {@code ...IfExists}).
 * Anything else (Deny, NotAction, NotResource, other operators) is refused, so a policy cannot pass by using what
 * this evaluator ignores.
 */
public final class IamPolicy {

    private static final Set<String> OPERATORS = Set.of("StringEquals", "StringLike", "ArnEquals", "ArnLike");

    /** One request as IAM authorizes it: the action, the resource ARN ({@code *} when the action has none) and the condition keys. */
    public record Request(String action, String resource, Map<String, String> context) {

        public Request(String action, String resource) {
            this(action, resource, Map.of());
        }

        @Override
        public String toString() {
            return action + " on " + resource + (context.isEmpty() ? "" : " with " + context);
        }
    }

    private final String name;
    private final JsonNode policy;

    private IamPolicy(String name, JsonNode policy) {
        this.name = name;
        this.policy = policy;
        if (!"2012-10-17".equals(policy.path("Version").asText())) {
            throw new IllegalArgumentException(name + ": Version must be 2012-10-17");
        }
        for (JsonNode statement : policy.path("Statement")) {
            String sid = statement.path("Sid").asText("?");
            if (!"Allow".equals(statement.path("Effect").asText())) {
                throw new IllegalArgumentException(name + " " + sid + ": only Allow statements are evaluated");
            }
            for (String unsupported : List.of("NotAction", "NotResource", "Principal", "NotPrincipal")) {
                if (statement.has(unsupported)) {
                    throw new IllegalArgumentException(name + " " + sid + ": " + unsupported + " is not evaluated");
                }
            }
            statement.path("Condition").fieldNames().forEachRemaining(operator -> {
                if (!OPERATORS.contains(operator)) {
                    throw new IllegalArgumentException(name + " " + sid + ": condition operator " + operator + " is not evaluated");
                }
            });
        }
    }

    /** deploy/iam/{@code file}, relative to a module directory Maven runs tests in. */
    public static IamPolicy shipped(String file) {
        Path path = Path.of("..", "deploy", "iam", file);
        try {
            return new IamPolicy(file, Json.mapper().readTree(Files.readString(path)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A policy from JSON text (for testing the evaluator itself). */
    public static IamPolicy of(String name, String json) {
        try {
            return new IamPolicy(name, Json.mapper().readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public JsonNode json() {
        return policy;
    }

    public boolean allows(Request request) {
        for (JsonNode statement : policy.path("Statement")) {
            if (strings(statement.path("Action")).stream().anyMatch(a -> glob(a, true).matcher(request.action()).matches())
                    && strings(statement.path("Resource")).stream().anyMatch(r -> glob(r, false).matcher(request.resource()).matches())
                    && conditionsHold(statement.path("Condition"), request.context())) {
                return true;
            }
        }
        return false;
    }

    private static boolean conditionsHold(JsonNode condition, Map<String, String> context) {
        for (Map.Entry<String, JsonNode> operator : condition.properties()) {
            boolean like = operator.getKey().endsWith("Like");
            for (Map.Entry<String, JsonNode> key : operator.getValue().properties()) {
                String value = context.get(key.getKey());
                if (value == null || strings(key.getValue()).stream()
                        .noneMatch(expected -> like ? glob(expected, false).matcher(value).matches() : expected.equals(value))) {
                    return false;
                }
            }
        }
        return true;
    }

    static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText()));
        } else if (!node.isMissingNode()) {
            values.add(node.asText());
        }
        return values;
    }

    private static Pattern glob(String pattern, boolean ignoreCase) {
        String regex = Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
        return Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
    }
}
