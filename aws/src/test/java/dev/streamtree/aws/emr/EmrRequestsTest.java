package dev.streamtree.aws.emr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.emr.model.Configuration;
import software.amazon.awssdk.services.emr.model.RunJobFlowRequest;
import software.amazon.awssdk.services.emr.model.StepConfig;

class EmrRequestsTest {

    private static final String BUCKET = "s3://example-streamtree-bucket/streamtree/";

    @TempDir
    Path dir;

    private final EmrDeployConfig config = EmrDeployConfig.read(EmrTestConfigs.EXAMPLE);

    @Test
    void runJobFlowCreatesALongRunningSparkClusterOnGlue() {
        RunJobFlowRequest request = EmrRequests.runJobFlow(config);

        assertThat(request.releaseLabel()).isEqualTo("emr-spark-8.1.0");
        assertThat(request.applications()).extracting(a -> a.name()).containsExactly("Spark");
        assertThat(request.logUri()).isEqualTo(BUCKET + "emr-logs/");
        assertThat(request.serviceRole()).isEqualTo("EMR_DefaultRole");
        assertThat(request.jobFlowRole()).isEqualTo("streamtree-jobs-instance-profile");
        assertThat(request.stepConcurrencyLevel()).isEqualTo(2);
        assertThat(request.instances().keepJobFlowAliveWhenNoSteps()).isTrue();
        assertThat(request.instances().ec2SubnetId()).isEqualTo("subnet-0123456789abcdef0");
        assertThat(request.instances().instanceGroups())
                .extracting(g -> g.instanceRoleAsString() + ":" + g.instanceType() + "x" + g.instanceCount())
                .containsExactly("MASTER:m7g.xlargex1", "CORE:m7g.2xlargex2");
        Configuration hiveSite = request.configurations().stream()
                .filter(c -> c.classification().equals("spark-hive-site")).findFirst().orElseThrow();
        assertThat(hiveSite.properties()).containsEntry("hive.metastore.client.factory.class",
                "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory");
        assertThat(request.configurations()).filteredOn(c -> c.classification().equals("spark-defaults"))
                .singleElement().satisfies(c -> assertThat(c.properties()).containsEntry("spark.sql.shuffle.partitions", "16"));
        assertThat(request.tags()).extracting(t -> t.key() + "=" + t.value()).containsExactly("project=streamtree");
        assertThat(request.steps()).extracting(StepConfig::name).containsExactly("streamtree-streaming");
    }

    @Test
    void streamingStepSubmitsTheShadedJarInClusterModeWithoutWaiting() {
        StepConfig step = EmrRequests.streamingStep(config);

        assertThat(step.actionOnFailureAsString()).isEqualTo("CONTINUE");
        assertThat(step.hadoopJarStep().jar()).isEqualTo("command-runner.jar");
        assertThat(step.hadoopJarStep().args()).containsExactly(
                "spark-submit", "--deploy-mode", "cluster",
                "--conf", "spark.yarn.submit.waitAppCompletion=false",
                "--conf", "spark.yarn.maxAppAttempts=4",
                "--conf", "spark.yarn.am.attemptFailuresValidityInterval=1h",
                "--conf", "spark.executor.memory=4g",
                "--files", BUCKET + "conf/kafka-client.properties",
                "--class", "dev.streamtree.streaming.StreamingJobMain",
                BUCKET + "jars/streamtree-streaming-job-0.1.0-SNAPSHOT-all.jar",
                "--bootstrap-servers", "b-1.example.kafka.eu-west-1.amazonaws.com:9098,b-2.example.kafka.eu-west-1.amazonaws.com:9098",
                "--kafka-properties", "kafka-client.properties",
                "--schema", "builtin:agrawal",
                "--lake", BUCKET + "lake",
                "--registry", BUCKET + "registry",
                "--catalog", "glue",
                "--database", "streamtree",
                "--table", "events",
                "--glue-region", "eu-west-1",
                "--events-topic", "streamtree.events",
                "--predictions-topic", "streamtree.predictions",
                "--dlq-topic", "streamtree.events.dlq",
                "--control-topic", "streamtree.control",
                "--labels-topic", "streamtree.labels",
                "--model-metrics-topic", "streamtree.model-metrics",
                "--checkpoint", BUCKET + "checkpoints/streaming",
                "--trigger-interval", "10s",
                "--max-offsets-per-trigger", "200000");
    }

    @Test
    void retrainStepRunsOneRetrainAndWaitsForTheApplication() {
        List<String> args = EmrRequests.addRetrainStep(config, "j-1ABCDEF").steps().get(0).hadoopJarStep().args();

        assertThat(args).startsWith("spark-submit", "--deploy-mode", "cluster");
        assertThat(args).doesNotContain("spark.yarn.submit.waitAppCompletion=false");
        int jar = args.indexOf(BUCKET + "jars/streamtree-retrain-job-0.1.0-SNAPSHOT-all.jar");
        assertThat(args.subList(jar - 2, jar + 2))
                .containsExactly("--class", "dev.streamtree.retrain.RetrainJobMain", BUCKET + "jars/streamtree-retrain-job-0.1.0-SNAPSHOT-all.jar", "run");
        assertThat(args.subList(jar + 2, args.size())).containsSubsequence("--lake", BUCKET + "lake", "--catalog", "glue")
                .doesNotContain("--checkpoint", "--trigger-interval");
    }

    @Test
    void realTimeModeAddsItsFlagsToTheStreamingStepWhenConfigured() {
        EmrDeployConfig realTime = EmrDeployConfig.read(EmrTestConfigs.write(dir,
                json -> ((ObjectNode) json.get("jobs")).put("realTimeCheckpointInterval", "5m")));

        assertThat(EmrRequests.streamingStep(realTime).hadoopJarStep().args())
                .endsWith("--real-time", "--real-time-checkpoint-interval", "5m")
                .containsSubsequence("--conf", "spark.driver.extraJavaOptions=-XX:MaxGCPauseMillis=20")
                .containsSubsequence("--conf", "spark.executor.extraJavaOptions=-XX:MaxGCPauseMillis=20");
        assertThat(EmrRequests.streamingStep(config).hadoopJarStep().args()).as("micro-batch by default")
                .doesNotContain("--real-time")
                .noneMatch(arg -> arg.contains("MaxGCPauseMillis"));

        EmrDeployConfig own = EmrDeployConfig.read(EmrTestConfigs.write(dir, json -> {
            ((ObjectNode) json.get("jobs")).put("realTimeCheckpointInterval", "5m");
            ((ObjectNode) json.get("jobs")).putObject("sparkConf").put("spark.executor.extraJavaOptions", "-XX:+UseZGC");
        }));
        assertThat(EmrRequests.streamingStep(own).hadoopJarStep().args()).as("the config's own executor options win")
                .containsSubsequence("--conf", "spark.driver.extraJavaOptions=-XX:MaxGCPauseMillis=20")
                .containsSubsequence("--conf", "spark.executor.extraJavaOptions=-XX:+UseZGC")
                .doesNotContain("spark.executor.extraJavaOptions=-XX:MaxGCPauseMillis=20");
    }

    @Test
    void realTimeCheckpointIntervalMustBeADuration() {
        assertThatThrownBy(() -> EmrDeployConfig.read(EmrTestConfigs.write(dir,
                json -> ((ObjectNode) json.get("jobs")).put("realTimeCheckpointInterval", "five minutes"))))
                .hasMessageContaining("jobs.realTimeCheckpointInterval 'five minutes' is not a duration");
    }

    @Test
    void optionalJobSettingsAreLeftOutWhenNotConfigured() {
        EmrDeployConfig minimal = EmrDeployConfig.read(EmrTestConfigs.write(dir, json -> {
            ObjectNode jobs = (ObjectNode) json.get("jobs");
            jobs.remove(List.of("kafkaProperties", "maxOffsetsPerTrigger", "sparkConf", "topics", "triggerInterval"));
            jobs.putArray("extraJars").add("s3://example-streamtree-bucket/jars/aws-msk-iam-auth-all.jar");
            ((ObjectNode) json.get("cluster")).remove(List.of("sparkDefaults", "ec2SubnetId", "releaseLabel"));
        }));

        List<String> args = EmrRequests.streamingStep(minimal).hadoopJarStep().args();

        assertThat(args).doesNotContain("--files", "--kafka-properties", "--max-offsets-per-trigger")
                .containsSubsequence("--jars", "s3://example-streamtree-bucket/jars/aws-msk-iam-auth-all.jar", "--class")
                .containsSubsequence("--trigger-interval", "10s");
        RunJobFlowRequest request = EmrRequests.runJobFlow(minimal);
        assertThat(request.releaseLabel()).isEqualTo(EmrDeployConfig.DEFAULT_RELEASE_LABEL);
        assertThat(request.configurations()).extracting(Configuration::classification).containsExactly("spark-hive-site");
        assertThat(request.instances().ec2SubnetId()).isNull();
    }

    @Test
    void renderedJsonUsesTheWireNamesAndOmitsUnsetMembers() {
        JsonNode json = RequestJson.render(EmrRequests.runJobFlow(config));

        assertThat(json.path("ReleaseLabel").asText()).isEqualTo("emr-spark-8.1.0");
        assertThat(json.path("StepConcurrencyLevel").asInt()).isEqualTo(2);
        assertThat(json.path("Instances").path("KeepJobFlowAliveWhenNoSteps").asBoolean()).isTrue();
        assertThat(json.path("Steps").get(0).path("HadoopJarStep").path("Args").get(0).asText()).isEqualTo("spark-submit");
        assertThat(json.has("AmiVersion")).isFalse();
        assertThat(json.has("BootstrapActions")).isFalse();
    }

    @Test
    void rejectsBadConfigWithAMessageNamingTheValue() {
        assertThatThrownBy(() -> EmrDeployConfig.read(EmrTestConfigs.write(dir,
                json -> ((ObjectNode) json.get("cluster")).put("stepConcurrencyLevel", 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cluster.stepConcurrencyLevel 1 must be between 2 and 256");
        assertThatThrownBy(() -> EmrDeployConfig.read(EmrTestConfigs.write(dir,
                json -> ((ObjectNode) json.get("jobs")).put("lake", "/tmp/lake"))))
                .hasMessageContaining("jobs.lake '/tmp/lake' is not an s3:// URI");
        assertThatThrownBy(() -> EmrDeployConfig.read(EmrTestConfigs.write(dir, json -> json.put("region", "Ireland"))))
                .hasMessageContaining("region 'Ireland' is not an AWS region name");
        assertThatThrownBy(() -> EmrDeployConfig.read(EmrTestConfigs.write(dir, json -> json.put("awsSecretAccessKey", "x"))))
                .hasMessageContaining("emr.json").hasMessageContaining("awsSecretAccessKey");
        assertThatThrownBy(() -> EmrDeployConfig.read(dir.resolve("missing.json")))
                .hasMessageContaining("missing.json' does not exist");
        assertThatThrownBy(() -> EmrRequests.terminate("cluster-1"))
                .hasMessageContaining("cluster id 'cluster-1' is not an EMR cluster id");
    }
}
