package dev.streamtree.aws.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.aws.emr.EmrDeployConfig;
import dev.streamtree.aws.emr.EmrTestConfigs;
import dev.streamtree.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Evaluates deploy/iam/streamtree-jobs-policy.json (Allow statements, wildcard resources) against what the example
 * EMR config makes the jobs touch, so the policy and the config cannot drift apart silently.
 */
class IamPolicyTest {

    private static final Path POLICY = Path.of("..", "deploy", "iam", "streamtree-jobs-policy.json");
    private static final String ACCOUNT = "111122223333";
    private static final String MSK = "streamtree-msk/00000000-0000-0000-0000-000000000000-1";

    private final EmrDeployConfig config = EmrDeployConfig.read(EmrTestConfigs.EXAMPLE);
    private final JsonNode policy = read();

    private static JsonNode read() {
        try {
            return Json.mapper().readTree(Files.readString(POLICY));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText()));
        } else if (!node.isMissingNode()) {
            values.add(node.asText());
        }
        return values;
    }

    private boolean allows(String action, String resource) {
        for (JsonNode statement : policy.path("Statement")) {
            if (statement.path("Effect").asText().equals("Allow") && strings(statement.path("Action")).contains(action)
                    && strings(statement.path("Resource")).stream().anyMatch(pattern -> glob(pattern).matcher(resource).matches())) {
                return true;
            }
        }
        return false;
    }

    private static Pattern glob(String pattern) {
        return Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
    }

    private static String objectArn(String s3Uri, String key) {
        return "arn:aws:s3:::" + s3Uri.substring("s3://".length()) + "/" + key;
    }

    private static String parent(String s3Uri) {
        return s3Uri.substring(0, s3Uri.lastIndexOf('/'));
    }

    @Test
    void grantsNoWildcardActionsOrResources() {
        assertThat(policy.path("Version").asText()).isEqualTo("2012-10-17");
        for (JsonNode statement : policy.path("Statement")) {
            assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            assertThat(strings(statement.path("Action"))).allMatch(action -> !action.contains("*"));
            assertThat(strings(statement.path("Resource"))).allMatch(resource -> !resource.equals("*") && !resource.endsWith(":*"));
        }
    }

    @Test
    void jobsMayWriteTheLakeRegistryAndCheckpointsButOnlyReadJars() {
        EmrDeployConfig.Jobs jobs = config.jobs();
        for (String root : List.of(jobs.lake(), jobs.registry(), jobs.checkpoint())) {
            for (String action : List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject")) {
                assertThat(allows(action, objectArn(root, "part-00000.parquet"))).as(action + " under " + root).isTrue();
            }
        }
        for (String jar : List.of(jobs.streamingJar(), jobs.retrainJar(), jobs.kafkaProperties())) {
            assertThat(allows("s3:GetObject", "arn:aws:s3:::" + jar.substring(5))).as("read " + jar).isTrue();
            assertThat(allows("s3:PutObject", "arn:aws:s3:::" + jar.substring(5))).as("write " + jar).isFalse();
        }
        assertThat(allows("s3:PutObject", objectArn(parent(jobs.lake()), "other-team/data.csv"))).isFalse();
        assertThat(allows("s3:DeleteBucket", "arn:aws:s3:::example-streamtree-bucket")).isFalse();
    }

    @Test
    void glueAccessIsLimitedToTheConfiguredTable() {
        String prefix = "arn:aws:glue:" + config.region() + ":" + ACCOUNT + ":";
        String database = config.jobs().database();
        String table = config.jobs().table();
        for (String action : List.of("glue:GetTable", "glue:CreateTable", "glue:BatchCreatePartition", "glue:GetPartitions")) {
            assertThat(allows(action, prefix + "table/" + database + "/" + table)).as(action).isTrue();
            assertThat(allows(action, prefix + "table/" + database + "/other")).as(action + " on another table").isFalse();
        }
        assertThat(allows("glue:GetDatabase", prefix + "database/" + database)).isTrue();
        assertThat(allows("glue:DeleteTable", prefix + "table/" + database + "/" + table)).isFalse();
    }

    @Test
    void kafkaAccessFollowsEachTopicsDirection() {
        String topic = "arn:aws:kafka:" + config.region() + ":" + ACCOUNT + ":topic/" + MSK + "/";
        var topics = config.jobs().topics();
        assertThat(allows("kafka-cluster:Connect", "arn:aws:kafka:" + config.region() + ":" + ACCOUNT + ":cluster/" + MSK)).isTrue();
        assertThat(allows("kafka-cluster:ReadData", topic + topics.events())).isTrue();
        assertThat(allows("kafka-cluster:WriteData", topic + topics.events())).isFalse();
        assertThat(allows("kafka-cluster:WriteData", topic + topics.predictions())).isTrue();
        assertThat(allows("kafka-cluster:WriteData", topic + topics.deadLetters())).isTrue();
        assertThat(allows("kafka-cluster:ReadData", topic + topics.control())).isTrue();
        assertThat(allows("kafka-cluster:WriteData", topic + topics.control())).isTrue();
        assertThat(allows("kafka-cluster:AlterGroup", "arn:aws:kafka:" + config.region() + ":" + ACCOUNT + ":group/" + MSK
                + "/spark-kafka-source-1b2c-driver-0")).isTrue();
        assertThat(allows("kafka-cluster:CreateTopic", topic + "anything")).isFalse();
    }
}
