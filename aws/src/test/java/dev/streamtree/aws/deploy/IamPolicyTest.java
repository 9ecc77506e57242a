package dev.streamtree.aws.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.aws.emr.EmrDeployConfig;
import dev.streamtree.aws.emr.EmrTestConfigs;
import dev.streamtree.testing.iam.AwsCallJournal;
import dev.streamtree.testing.iam.IamPolicy;
import dev.streamtree.testing.iam.IamPolicy.Request;
import dev.streamtree.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Evaluates the shipped policies (deploy/iam/*.json) with {@link IamPolicy}, honouring resources and conditions,
 * against what the example EMR config makes the jobs do outside the WireMock stubs: S3 calls on each configured URI
 * (listings carry {@code s3:prefix}, GetBucketLocation carries none), EMR log uploads, and Kafka calls per topic.
 * The Glue and EMR API calls are checked by {@link AwsCallJournal} from what the ITs' stubs record.
 */
class IamPolicyTest {

    private static final String ACCOUNT = AwsCallJournal.ACCOUNT;
    private static final String MSK = "streamtree-msk/00000000-0000-0000-0000-000000000000-1";
    private static final List<String> SHIPPED = List.of("streamtree-jobs-policy.json", "streamtree-deployer-policy.json",
            "streamtree-retrain-scheduler-policy.json");

    private final EmrDeployConfig config = EmrDeployConfig.read(EmrTestConfigs.EXAMPLE);
    private final IamPolicy jobs = IamPolicy.shipped("streamtree-jobs-policy.json");
    private final IamPolicy deployer = IamPolicy.shipped("streamtree-deployer-policy.json");

    private static String bucketArn(String s3Uri) {
        String path = s3Uri.substring("s3://".length());
        return "arn:aws:s3:::" + path.substring(0, path.indexOf('/'));
    }

    /** The key of an S3 URI, without a trailing slash. */
    private static String key(String s3Uri) {
        String path = s3Uri.substring("s3://".length());
        return path.substring(path.indexOf('/') + 1).replaceAll("/$", "");
    }

    private static String objectArn(String s3Uri, String name) {
        return bucketArn(s3Uri) + "/" + key(s3Uri) + "/" + name;
    }

    private static Request list(String s3Uri, String prefix) {
        return new Request("s3:ListBucket", bucketArn(s3Uri), Map.of("s3:prefix", prefix));
    }

    @Test
    void shippedPoliciesGrantNoWildcardActionsAndNoUnconditionedWildcardResources() {
        for (String file : SHIPPED) {
            JsonNode policy = IamPolicy.shipped(file).json();
            assertThat(policy.path("Statement")).as(file).isNotEmpty();
            for (JsonNode statement : policy.path("Statement")) {
                String where = file + " " + statement.path("Sid").asText();
                assertThat(statement.path("Sid").asText()).as(where).isNotBlank();
                assertThat(statement.path("Action").toString()).as(where).doesNotContain("*");
                if (statement.path("Resource").toString().matches(".*\"(\\*|[^\"]*:\\*)\".*")) {
                    assertThat(statement.has("Condition")).as(where + ": a wildcard resource needs a condition").isTrue();
                }
            }
        }
    }

    @Test
    void jobsMayWriteTheLakeRegistryAndCheckpointsButOnlyReadJars() {
        EmrDeployConfig.Jobs paths = config.jobs();
        for (String root : List.of(paths.lake(), paths.registry(), paths.checkpoint())) {
            for (String action : List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")) {
                assertThat(jobs.allows(new Request(action, objectArn(root, "part-00000.parquet")))).as(action + " under " + root).isTrue();
            }
            assertThat(jobs.allows(list(root, key(root) + "/"))).as("list " + root).isTrue();
            assertThat(jobs.allows(list(root, key(root) + "/event_date=2024-01-01/"))).as("list under " + root).isTrue();
        }
        for (String file : List.of(paths.streamingJar(), paths.retrainJar(), paths.kafkaProperties())) {
            String arn = bucketArn(file) + "/" + key(file);
            assertThat(jobs.allows(new Request("s3:GetObject", arn))).as("read " + file).isTrue();
            assertThat(jobs.allows(new Request("s3:PutObject", arn))).as("write " + file).isFalse();
        }
        assertThat(jobs.allows(new Request("s3:PutObject", bucketArn(paths.lake()) + "/other-team/data.csv"))).isFalse();
        assertThat(jobs.allows(list(paths.lake(), "other-team/"))).as("list another prefix").isFalse();
        assertThat(jobs.allows(new Request("s3:ListBucket", bucketArn(paths.lake())))).as("list the whole bucket").isFalse();
        assertThat(jobs.allows(new Request("s3:DeleteBucket", bucketArn(paths.lake())))).isFalse();
    }

    @Test
    void bucketLocationIsAllowedWithoutAPrefixBecauseTheCallCarriesNone() {
        assertThat(jobs.allows(new Request("s3:GetBucketLocation", bucketArn(config.jobs().lake())))).isTrue();
    }

    @Test
    void theJobsRoleMayUploadTheClusterLogsToTheLogUriOnly() {
        String logUri = config.cluster().logUri();
        String stepLog = objectArn(logUri, "j-3UP1CLUSTER/steps/s-RETRAIN1/stderr.gz");
        assertThat(jobs.allows(new Request("s3:PutObject", stepLog))).as("PutObject " + stepLog).isTrue();
        assertThat(jobs.allows(new Request("s3:DeleteObject", stepLog))).isFalse();
        assertThat(jobs.allows(new Request("s3:PutObject", bucketArn(logUri) + "/streamtree/emr-logs-other/x.gz"))).isFalse();
    }

    @Test
    void glueAccessIsLimitedToTheConfiguredDatabaseAndTable() {
        String prefix = "arn:aws:glue:" + config.region() + ":" + ACCOUNT + ":";
        String database = config.jobs().database();
        String table = config.jobs().table();
        // Iceberg's Glue catalog: a commit is GetTable then UpdateTable; the table has no Glue partitions.
        for (String action : List.of("glue:GetTable", "glue:CreateTable", "glue:UpdateTable")) {
            assertThat(jobs.allows(new Request(action, prefix + "table/" + database + "/" + table))).as(action).isTrue();
            assertThat(jobs.allows(new Request(action, prefix + "table/" + database + "/other"))).as(action + " on another table").isFalse();
        }
        assertThat(jobs.allows(new Request("glue:CreateDatabase", prefix + "database/" + database))).isTrue();
        assertThat(jobs.allows(new Request("glue:CreateDatabase", prefix + "database/other"))).isFalse();
        assertThat(jobs.allows(new Request("glue:DeleteTable", prefix + "table/" + database + "/" + table))).isFalse();
        assertThat(jobs.allows(new Request("glue:BatchCreatePartition", prefix + "table/" + database + "/" + table)))
                .as("no partition registration any more").isFalse();
    }

    @Test
    void kafkaAccessFollowsEachTopicsDirectionAndProducersMayBeIdempotent() {
        String cluster = "arn:aws:kafka:" + config.region() + ":" + ACCOUNT + ":cluster/" + MSK;
        String topic = "arn:aws:kafka:" + config.region() + ":" + ACCOUNT + ":topic/" + MSK + "/";
        var topics = config.jobs().topics();
        assertThat(jobs.allows(new Request("kafka-cluster:Connect", cluster))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:WriteDataIdempotently", cluster))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:ReadData", topic + topics.events()))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:WriteData", topic + topics.events()))).isFalse();
        assertThat(jobs.allows(new Request("kafka-cluster:WriteData", topic + topics.predictions()))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:WriteData", topic + topics.deadLetters()))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:ReadData", topic + topics.control()))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:WriteData", topic + topics.control()))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:AlterGroup", "arn:aws:kafka:" + config.region() + ":" + ACCOUNT
                + ":group/" + MSK + "/spark-kafka-source-1b2c-driver-0"))).isTrue();
        assertThat(jobs.allows(new Request("kafka-cluster:CreateTopic", topic + "anything"))).isFalse();
    }

    @Test
    void theDeployerActsOnlyOnClustersTaggedAsTheConfigTagsThem() {
        Map<String, String> tags = config.cluster().tags();
        assertThat(tags).containsEntry("project", "streamtree");
        String cluster = "arn:aws:elasticmapreduce:" + config.region() + ":" + ACCOUNT + ":cluster/j-OTHERTEAM";
        assertThat(deployer.allows(new Request("elasticmapreduce:RunJobFlow", "*"))).as("untagged cluster").isFalse();
        assertThat(deployer.allows(new Request("elasticmapreduce:RunJobFlow", "*",
                Map.of("elasticmapreduce:RequestTag/project", "other")))).isFalse();
        assertThat(deployer.allows(new Request("elasticmapreduce:TerminateJobFlows", cluster))).as("cluster without tags").isFalse();
        assertThat(deployer.allows(new Request("elasticmapreduce:TerminateJobFlows", cluster,
                Map.of("elasticmapreduce:ResourceTag/project", "streamtree")))).isTrue();
        String serviceRole = "arn:aws:iam::" + ACCOUNT + ":role/" + config.cluster().serviceRole();
        assertThat(deployer.allows(new Request("iam:PassRole", serviceRole, Map.of("iam:PassedToService", "elasticmapreduce.amazonaws.com")))).isTrue();
        assertThat(deployer.allows(new Request("iam:PassRole", serviceRole, Map.of("iam:PassedToService", "lambda.amazonaws.com")))).isFalse();
        assertThat(deployer.allows(new Request("iam:PassRole", serviceRole))).as("PassRole without PassedToService").isFalse();
        assertThat(deployer.allows(new Request("iam:PassRole", "arn:aws:iam::" + ACCOUNT + ":role/admin",
                Map.of("iam:PassedToService", "ec2.amazonaws.com")))).isFalse();
    }

    @Test
    void theSchedulerMayAddStepsToItsClusterAndNothingElse() throws IOException {
        JsonNode schedule = Json.mapper().readTree(Files.readString(Path.of("..", "deploy", "emr", "retrain-schedule.example.json")));
        String target = schedule.at("/Target/Arn").asText();
        assertThat(target).startsWith("arn:aws:scheduler:::aws-sdk:emr:");
        String operation = target.substring(target.lastIndexOf(':') + 1);
        String action = "elasticmapreduce:" + Character.toUpperCase(operation.charAt(0)) + operation.substring(1);
        IamPolicy scheduler = IamPolicy.shipped("streamtree-retrain-scheduler-policy.json");
        String cluster = "arn:aws:elasticmapreduce:" + config.region() + ":" + ACCOUNT + ":cluster/j-EXAMPLECLUSTER";
        assertThat(scheduler.allows(new Request(action, cluster))).as(action).isTrue();
        assertThat(scheduler.allows(new Request("elasticmapreduce:TerminateJobFlows", cluster))).isFalse();
        assertThat(scheduler.allows(new Request(action, cluster.replace("j-EXAMPLECLUSTER", "j-OTHER")))).isFalse();
    }

    @Test
    void evaluatorHonoursWildcardsAndConditionsAndRefusesWhatItCannotEvaluate() {
        IamPolicy policy = IamPolicy.of("inline", """
                {"Version": "2012-10-17", "Statement": [
                  {"Sid": "A", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
                   "Condition": {"StringLike": {"s3:prefix": ["lake/*", "registry/*"]}}},
                  {"Sid": "B", "Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::b/lake/*",
                   "Condition": {"StringEquals": {"aws:RequestTag/a": "1", "aws:RequestTag/b": "2"}}}]}""");

        assertThat(policy.allows(new Request("s3:listbucket", "arn:aws:s3:::b", Map.of("s3:prefix", "registry/v1")))).isTrue();
        assertThat(policy.allows(new Request("s3:ListBucket", "arn:aws:s3:::b", Map.of("s3:prefix", "jars/")))).isFalse();
        assertThat(policy.allows(new Request("s3:ListBucket", "arn:aws:s3:::b"))).as("condition key absent").isFalse();
        assertThat(policy.allows(new Request("s3:ListBucket", "arn:aws:s3:::c", Map.of("s3:prefix", "lake/")))).isFalse();
        Map<String, String> both = Map.of("aws:RequestTag/a", "1", "aws:RequestTag/b", "2");
        assertThat(policy.allows(new Request("s3:GetObject", "arn:aws:s3:::b/lake/x", both))).isTrue();
        assertThat(policy.allows(new Request("s3:GetObject", "arn:aws:s3:::b/lake/x", Map.of("aws:RequestTag/a", "1"))))
                .as("every key of a condition must match").isFalse();
        assertThat(policy.allows(new Request("s3:PutObject", "arn:aws:s3:::b/lake/x", both))).isFalse();

        assertThatThrownBy(() -> IamPolicy.of("deny", """
                {"Version": "2012-10-17", "Statement": [{"Sid": "D", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("deny D: only Allow statements are evaluated");
        assertThatThrownBy(() -> IamPolicy.of("ip", """
                {"Version": "2012-10-17", "Statement": [{"Sid": "I", "Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ip I: condition operator IpAddress is not evaluated");
    }
}
