package dev.streamtree.aws.emr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.emr.model.ActionOnFailure;
import software.amazon.awssdk.services.emr.model.AddJobFlowStepsRequest;
import software.amazon.awssdk.services.emr.model.Application;
import software.amazon.awssdk.services.emr.model.Configuration;
import software.amazon.awssdk.services.emr.model.DescribeStepRequest;
import software.amazon.awssdk.services.emr.model.HadoopJarStepConfig;
import software.amazon.awssdk.services.emr.model.InstanceGroupConfig;
import software.amazon.awssdk.services.emr.model.JobFlowInstancesConfig;
import software.amazon.awssdk.services.emr.model.RunJobFlowRequest;
import software.amazon.awssdk.services.emr.model.StepConfig;
import software.amazon.awssdk.services.emr.model.Tag;
import software.amazon.awssdk.services.emr.model.TerminateJobFlowsRequest;

/**
 * Builds the EMR API requests of {@code deploy emr} from the config, without sending anything: the same values
 * are printed by {@code --dry-run} and sent by {@link EmrDeployer}.
 */
public final class EmrRequests {

    public static final String STREAMING_MAIN_CLASS = "dev.streamtree.streaming.StreamingJobMain";
    public static final String RETRAIN_MAIN_CLASS = "dev.streamtree.retrain.RetrainJobMain";
    public static final String STREAMING_STEP_NAME = "streamtree-streaming";
    public static final String RETRAIN_STEP_NAME = "streamtree-retrain";
    /** Makes Spark on EMR use the Glue Data Catalog as its Hive metastore. */
    public static final String GLUE_METASTORE_FACTORY =
            "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory";

    private EmrRequests() {
    }

    /** The RunJobFlow request of {@code emr up}: a long-running cluster whose first step is the streaming job. */
    public static RunJobFlowRequest runJobFlow(EmrDeployConfig config) {
        EmrDeployConfig.Cluster cluster = config.cluster();
        List<Configuration> configurations = new ArrayList<>();
        configurations.add(Configuration.builder()
                .classification("spark-hive-site")
                .properties(Map.of("hive.metastore.client.factory.class", GLUE_METASTORE_FACTORY))
                .build());
        if (!cluster.sparkDefaults().isEmpty()) {
            configurations.add(Configuration.builder()
                    .classification("spark-defaults")
                    .properties(cluster.sparkDefaults())
                    .build());
        }
        JobFlowInstancesConfig.Builder instances = JobFlowInstancesConfig.builder()
                .instanceGroups(cluster.instanceGroups().stream().map(EmrRequests::instanceGroup).toList())
                .keepJobFlowAliveWhenNoSteps(true)
                .terminationProtected(false);
        if (cluster.ec2SubnetId() != null) {
            instances.ec2SubnetId(cluster.ec2SubnetId());
        }
        if (cluster.ec2KeyName() != null) {
            instances.ec2KeyName(cluster.ec2KeyName());
        }
        return RunJobFlowRequest.builder()
                .name(cluster.name())
                .releaseLabel(cluster.releaseLabel())
                .logUri(cluster.logUri())
                .serviceRole(cluster.serviceRole())
                .jobFlowRole(cluster.jobFlowRole())
                .applications(Application.builder().name("Spark").build())
                .configurations(configurations)
                .instances(instances.build())
                .stepConcurrencyLevel(cluster.stepConcurrencyLevel())
                .steps(streamingStep(config))
                .tags(cluster.tags().entrySet().stream()
                        .map(tag -> Tag.builder().key(tag.getKey()).value(tag.getValue()).build())
                        .toList())
                .build();
    }

    /** The AddJobFlowSteps request of {@code emr retrain}: one batch retrain run on an existing cluster. */
    public static AddJobFlowStepsRequest addRetrainStep(EmrDeployConfig config, String clusterId) {
        requireClusterId(clusterId);
        return AddJobFlowStepsRequest.builder().jobFlowId(clusterId).steps(retrainStep(config)).build();
    }

    /** The TerminateJobFlows request of {@code emr down}. */
    public static TerminateJobFlowsRequest terminate(String clusterId) {
        requireClusterId(clusterId);
        return TerminateJobFlowsRequest.builder().jobFlowIds(clusterId).build();
    }

    public static DescribeStepRequest describeStep(String clusterId, String stepId) {
        return DescribeStepRequest.builder().clusterId(clusterId).stepId(stepId).build();
    }

    /**
     * JVM options of the driver and executors in real-time mode, unless {@code jobs.sparkConf} sets their keys: a
     * 20 ms G1 pause goal. With the default 200 ms, young collections of 27-61 ms set the scoring p99 at 20,000
     * events/s (115 ms; 31 ms with this goal, same slots; {@code bench/run.sh realtime}, README "Real-time scoring").
     */
    static final String REAL_TIME_JAVA_OPTIONS = "-XX:MaxGCPauseMillis=20";

    /**
     * The streaming job as a step. spark-submit returns once YARN accepted the application
     * (waitAppCompletion=false), so the step completes and frees its slot while the job keeps running; YARN
     * restarts the driver on failure and it resumes from its S3 checkpoint.
     */
    public static StepConfig streamingStep(EmrDeployConfig config) {
        EmrDeployConfig.Jobs jobs = config.jobs();
        List<String> stepConf = new ArrayList<>(List.of(
                "spark.yarn.submit.waitAppCompletion=false",
                "spark.yarn.maxAppAttempts=4",
                "spark.yarn.am.attemptFailuresValidityInterval=1h"));
        if (jobs.realTimeCheckpointInterval() != null) {
            for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
                if (!jobs.sparkConf().containsKey(key)) {
                    stepConf.add(key + "=" + REAL_TIME_JAVA_OPTIONS);
                }
            }
        }
        List<String> args = sparkSubmit(jobs, stepConf);
        args.addAll(List.of("--class", STREAMING_MAIN_CLASS, jobs.streamingJar()));
        args.addAll(commonJobFlags(config));
        args.addAll(List.of("--checkpoint", jobs.checkpoint(), "--trigger-interval", jobs.triggerInterval()));
        if (jobs.maxOffsetsPerTrigger() != null) {
            args.addAll(List.of("--max-offsets-per-trigger", Long.toString(jobs.maxOffsetsPerTrigger())));
        }
        if (jobs.realTimeCheckpointInterval() != null) {
            args.addAll(List.of("--real-time", "--real-time-checkpoint-interval", jobs.realTimeCheckpointInterval()));
        }
        return commandRunnerStep(STREAMING_STEP_NAME, args);
    }

    /** One retrain run as a step; spark-submit waits for the application, so the step's state is the run's. */
    public static StepConfig retrainStep(EmrDeployConfig config) {
        EmrDeployConfig.Jobs jobs = config.jobs();
        List<String> args = sparkSubmit(jobs, List.of());
        args.addAll(List.of("--class", RETRAIN_MAIN_CLASS, jobs.retrainJar(), "run"));
        args.addAll(commonJobFlags(config));
        return commandRunnerStep(RETRAIN_STEP_NAME, args);
    }

    /** The common job flags both jobs take (see the jobs' --help), with the Glue catalog in the config's region. */
    static List<String> commonJobFlags(EmrDeployConfig config) {
        EmrDeployConfig.Jobs jobs = config.jobs();
        List<String> flags = new ArrayList<>(List.of("--bootstrap-servers", jobs.bootstrapServers()));
        if (jobs.kafkaProperties() != null) {
            flags.addAll(List.of("--kafka-properties", jobs.kafkaPropertiesFileName()));
        }
        flags.addAll(List.of(
                "--schema", jobs.schema(),
                "--lake", jobs.lake(),
                "--registry", jobs.registry(),
                "--catalog", "glue",
                "--database", jobs.database(),
                "--table", jobs.table(),
                "--glue-region", config.region(),
                "--events-topic", jobs.topics().events(),
                "--predictions-topic", jobs.topics().predictions(),
                "--dlq-topic", jobs.topics().deadLetters(),
                "--control-topic", jobs.topics().control(),
                "--labels-topic", jobs.topics().labels(),
                "--model-metrics-topic", jobs.topics().modelMetrics()));
        return flags;
    }

    private static List<String> sparkSubmit(EmrDeployConfig.Jobs jobs, List<String> stepConf) {
        List<String> args = new ArrayList<>(List.of("spark-submit", "--deploy-mode", "cluster"));
        for (String conf : stepConf) {
            args.addAll(List.of("--conf", conf));
        }
        jobs.sparkConf().forEach((key, value) -> args.addAll(List.of("--conf", key + "=" + value)));
        if (jobs.kafkaProperties() != null) {
            args.addAll(List.of("--files", jobs.kafkaProperties()));
        }
        if (!jobs.extraJars().isEmpty()) {
            args.addAll(List.of("--jars", String.join(",", jobs.extraJars())));
        }
        return args;
    }

    private static StepConfig commandRunnerStep(String name, List<String> args) {
        return StepConfig.builder()
                .name(name)
                .actionOnFailure(ActionOnFailure.CONTINUE)
                .hadoopJarStep(HadoopJarStepConfig.builder().jar("command-runner.jar").args(args).build())
                .build();
    }

    private static InstanceGroupConfig instanceGroup(EmrDeployConfig.InstanceGroup group) {
        return InstanceGroupConfig.builder()
                .name(group.name())
                .instanceRole(group.role())
                .instanceType(group.instanceType())
                .instanceCount(group.count())
                .market(group.market())
                .build();
    }

    private static void requireClusterId(String clusterId) {
        if (clusterId == null || !clusterId.matches("j-[A-Z0-9]{1,64}")) {
            throw new IllegalArgumentException("cluster id '" + clusterId + "' is not an EMR cluster id such as j-2AXXXXXXGAPLF");
        }
    }
}
