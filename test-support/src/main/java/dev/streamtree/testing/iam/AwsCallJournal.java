package dev.streamtree.testing.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.streamtree.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Records every AWS request the code sends to a test's WireMock servers, and after the test class checks that the
 * policy of whoever makes those calls allows each of them. A request's {@code X-Amz-Target} names the operation;
 * it becomes the IAM requests AWS authorizes for it (Service Authorization Reference):
 * <ul>
 *   <li>{@code AWSGlue.Op}: {@code glue:Op} on the catalog, and on the database and table the body names;</li>
 *   <li>{@code ElasticMapReduce.RunJobFlow}: {@code elasticmapreduce:RunJobFlow} on {@code *} with the request's
 *       tags as {@code elasticmapreduce:RequestTag/...}, plus {@code iam:PassRole} on the service role (passed to
 *       elasticmapreduce.amazonaws.com) and on the instance-profile role (passed to ec2.amazonaws.com);</li>
 *   <li>any other EMR operation: on the cluster the body names, tagged (as {@code elasticmapreduce:ResourceTag/...})
 *       with {@code clusterTags}, the tags {@code deploy emr up} gives the clusters it creates.</li>
 * </ul>
 * The region comes from the request's SigV4 credential scope; the account, which no request carries, is the
 * example account of the shipped policies. The calls are also written to {@code target/aws-calls/<TestClass>.txt}.
 * Register it as a static {@code @RegisterExtension} field and call {@link #record} on each server after start.
 */
public final class AwsCallJournal implements AfterAllCallback {

    /** The account of the shipped example policies and configs. */
    public static final String ACCOUNT = "111122223333";
    private static final Pattern REGION = Pattern.compile("Credential=[^/]+/\\d{8}/([a-z0-9-]+)/");

    private final IamPolicy policy;
    private final Map<String, String> clusterTags;
    /** What each received request carried; turned into IAM requests after the class, off WireMock's threads. */
    private record Call(String target, String authorization, String body) {
    }

    private final List<Call> received = Collections.synchronizedList(new ArrayList<>());

    private AwsCallJournal(IamPolicy policy, Map<String, String> clusterTags) {
        this.policy = policy;
        this.clusterTags = clusterTags;
    }

    /** Checks the recorded calls against deploy/iam/{@code policyFile}; EMR clusters are taken to carry {@code clusterTags}. */
    public static AwsCallJournal checkedAgainst(String policyFile, Map<String, String> clusterTags) {
        return new AwsCallJournal(IamPolicy.shipped(policyFile), Map.copyOf(clusterTags));
    }

    /** Records every request {@code server} receives from now on. */
    public void record(WireMockServer server) {
        server.addMockServiceRequestListener((request, response) -> received.add(new Call(
                request.getHeader("X-Amz-Target"), request.getHeader("Authorization"), request.getBodyAsString())));
    }

    /** The IAM requests AWS authorizes for one API request (see the class doc). */
    private static List<IamPolicy.Request> authorize(Call call) {
        if (call.target() == null) {
            throw new AssertionError("a request without X-Amz-Target: " + call.body());
        }
        Matcher region = REGION.matcher(String.valueOf(call.authorization()));
        if (!region.find()) {
            throw new AssertionError(call.target() + " is not signed with SigV4");
        }
        try {
            return authorize(call.target(), region.group(1), Json.mapper().readTree(call.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The IAM requests AWS authorizes for {@code target} with this JSON body, signed for {@code region}. */
    static List<IamPolicy.Request> authorize(String target, String region, JsonNode body) {
        String service = target.substring(0, target.indexOf('.'));
        String operation = target.substring(target.indexOf('.') + 1);
        List<IamPolicy.Request> authorized = new ArrayList<>();
        switch (service) {
            case "AWSGlue" -> {
                String arn = "arn:aws:glue:" + region + ":" + ACCOUNT + ":";
                String action = "glue:" + operation;
                authorized.add(new IamPolicy.Request(action, arn + "catalog"));
                String database = first(body, "/DatabaseName", "/DatabaseInput/Name", "/Name");
                if (database != null) {
                    authorized.add(new IamPolicy.Request(action, arn + "database/" + database));
                    String table = first(body, "/TableName", "/TableInput/Name");
                    if (table != null) {
                        authorized.add(new IamPolicy.Request(action, arn + "table/" + database + "/" + table));
                    }
                }
            }
            case "ElasticMapReduce" -> {
                String action = "elasticmapreduce:" + operation;
                if (operation.equals("RunJobFlow")) {
                    Map<String, String> tags = new LinkedHashMap<>();
                    body.path("Tags").forEach(tag -> tags.put("elasticmapreduce:RequestTag/" + tag.path("Key").asText(),
                            tag.path("Value").asText()));
                    authorized.add(new IamPolicy.Request(action, "*", tags));
                    authorized.add(passRole(body.path("ServiceRole").asText(), "elasticmapreduce.amazonaws.com"));
                    authorized.add(passRole(body.path("JobFlowRole").asText(), "ec2.amazonaws.com"));
                } else {
                    String cluster = first(body, "/ClusterId", "/JobFlowId", "/JobFlowIds/0");
                    if (cluster == null) {
                        throw new AssertionError(target + " names no cluster: " + body);
                    }
                    authorized.add(new IamPolicy.Request(action,
                            "arn:aws:elasticmapreduce:" + region + ":" + ACCOUNT + ":cluster/" + cluster));
                }
            }
            default -> throw new AssertionError("no IAM mapping for " + target + "; add the service's resources here");
        }
        return authorized;
    }

    private static IamPolicy.Request passRole(String role, String service) {
        if (role.isEmpty()) {
            throw new AssertionError("RunJobFlow without a role to pass to " + service);
        }
        return new IamPolicy.Request("iam:PassRole", "arn:aws:iam::" + ACCOUNT + ":role/" + role,
                Map.of("iam:PassedToService", service));
    }

    private static String first(JsonNode body, String... pointers) {
        for (String pointer : pointers) {
            JsonNode value = body.at(pointer);
            if (value.isTextual() && !value.asText().isEmpty()) {
                return value.asText();
            }
        }
        return null;
    }

    private IamPolicy.Request withClusterTags(IamPolicy.Request request) {
        if (!request.resource().contains(":cluster/")) {
            return request;
        }
        Map<String, String> context = new LinkedHashMap<>(request.context());
        clusterTags.forEach((key, value) -> context.put("elasticmapreduce:ResourceTag/" + key, value));
        return new IamPolicy.Request(request.action(), request.resource(), context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        List<Call> calls;
        synchronized (received) {
            calls = List.copyOf(received);
        }
        List<IamPolicy.Request> checked = calls.stream().flatMap(call -> authorize(call).stream())
                .map(this::withClusterTags).distinct().toList();
        Set<String> targets = new TreeSet<>();
        calls.forEach(call -> targets.add(call.target()));
        String testClass = context.getRequiredTestClass().getSimpleName();
        Path file = Path.of("target", "aws-calls", testClass + ".txt");
        Files.createDirectories(file.getParent());
        List<String> lines = new ArrayList<>();
        checked.forEach(request -> lines.add((policy.allows(request) ? "allowed " : "DENIED  ") + request));
        Files.write(file, lines);
        if (checked.isEmpty()) {
            throw new AssertionError(testClass + " sent no AWS request to a recorded server: nothing was checked against "
                    + policy.name());
        }
        List<String> denied = lines.stream().filter(line -> line.startsWith("DENIED")).toList();
        if (!denied.isEmpty()) {
            throw new AssertionError(policy.name() + " denies calls " + testClass + " made (" + targets + "):\n  "
                    + String.join("\n  ", denied));
        }
    }
}
