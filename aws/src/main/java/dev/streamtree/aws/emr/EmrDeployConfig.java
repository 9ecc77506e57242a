package dev.streamtree.aws.emr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.topic.Topics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything {@code deploy emr} needs, read from one JSON file (see {@code deploy/emr/streamtree-emr.example.json}
 * and docs/deploy.md). The file holds no credentials: the AWS SDK takes them from its default chain.
 *
 * @param region           AWS region of the cluster, the Glue catalog and the S3 buckets
 * @param endpointOverride optional EMR endpoint URL (a VPC endpoint, or a local stub in tests); null for the default
 * @param cluster          the cluster to create
 * @param jobs             where the job jars are and the flags the jobs run with
 */
public record EmrDeployConfig(String region, String endpointOverride, Cluster cluster, Jobs jobs) {

    /** EMR release with Spark 4.1.1 on Scala 2.13, which runs jars built against Spark 4.1.0. */
    public static final String DEFAULT_RELEASE_LABEL = "emr-spark-8.1.0";

    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
    private static final ObjectMapper STRICT = Json.mapper().copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public EmrDeployConfig {
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region '" + region + "' is not an AWS region name such as eu-west-1");
        }
        if (endpointOverride != null) {
            URI uri = URI.create(endpointOverride);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("endpointOverride '" + endpointOverride + "' is not an http(s) URL");
            }
        }
        require(cluster, "cluster");
        require(jobs, "jobs");
    }

    /**
     * Reads and validates a config file.
     *
     * @throws IllegalArgumentException when the file is missing, is not JSON, has an unknown key or a bad value;
     *                                  the message names the file and the key or value
     */
    public static EmrDeployConfig read(Path file) {
        try {
            return STRICT.readValue(Files.readString(file), EmrDeployConfig.class);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("EMR config file '" + file + "' does not exist", e);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause();
            String detail = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException("EMR config file '" + file + "': " + detail, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read EMR config file '" + file + "': " + e.getMessage(), e);
        }
    }

    /**
     * The cluster that {@code emr up} creates.
     *
     * @param name                 cluster name shown in the console
     * @param releaseLabel         EMR release; defaults to {@value #DEFAULT_RELEASE_LABEL}
     * @param logUri               s3:// prefix for cluster and step logs
     * @param serviceRole          EMR service role name
     * @param jobFlowRole          EC2 instance profile name; its role carries deploy/iam/streamtree-jobs-policy.json
     * @param ec2SubnetId          optional subnet (must reach the Kafka brokers)
     * @param ec2KeyName           optional EC2 key pair for SSH
     * @param stepConcurrencyLevel steps that may run at once, at least 2 so retraining runs beside the streaming job
     * @param instanceGroups       primary (MASTER), CORE and optional TASK groups
     * @param tags                 tags put on the cluster
     * @param sparkDefaults        extra spark-defaults classification properties
     */
    public record Cluster(String name, String releaseLabel, String logUri, String serviceRole, String jobFlowRole,
                          String ec2SubnetId, String ec2KeyName, Integer stepConcurrencyLevel,
                          List<InstanceGroup> instanceGroups, Map<String, String> tags,
                          Map<String, String> sparkDefaults) {

        public Cluster {
            requireText(name, "cluster.name");
            releaseLabel = releaseLabel == null ? DEFAULT_RELEASE_LABEL : releaseLabel;
            requireS3(logUri, "cluster.logUri");
            requireText(serviceRole, "cluster.serviceRole");
            requireText(jobFlowRole, "cluster.jobFlowRole");
            stepConcurrencyLevel = stepConcurrencyLevel == null ? 2 : stepConcurrencyLevel;
            if (stepConcurrencyLevel < 2 || stepConcurrencyLevel > 256) {
                throw new IllegalArgumentException("cluster.stepConcurrencyLevel " + stepConcurrencyLevel
                        + " must be between 2 and 256: the streaming step never ends, so retraining needs a second slot");
            }
            if (instanceGroups == null || instanceGroups.stream().noneMatch(g -> g.role().equals("MASTER"))) {
                throw new IllegalArgumentException("cluster.instanceGroups needs one group with role MASTER");
            }
            if (instanceGroups.stream().filter(g -> g.role().equals("MASTER")).count() > 1) {
                throw new IllegalArgumentException("cluster.instanceGroups has more than one MASTER group");
            }
            instanceGroups = List.copyOf(instanceGroups);
            tags = sorted(tags);
            sparkDefaults = sorted(sparkDefaults);
        }
    }

    /**
     * One EMR instance group.
     *
     * @param name         group name
     * @param role         MASTER, CORE or TASK
     * @param instanceType EC2 instance type, e.g. m7g.xlarge
     * @param count        number of instances, at least 1
     * @param market       ON_DEMAND (default) or SPOT
     */
    public record InstanceGroup(String name, String role, String instanceType, int count, String market) {

        private static final Set<String> ROLES = Set.of("MASTER", "CORE", "TASK");
        private static final Set<String> MARKETS = Set.of("ON_DEMAND", "SPOT");

        public InstanceGroup {
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("instance group role '" + role + "' is not one of " + ROLES);
            }
            name = name == null ? role.toLowerCase(java.util.Locale.ROOT) : name;
            requireText(instanceType, "instanceGroups[" + name + "].instanceType");
            if (count < 1) {
                throw new IllegalArgumentException("instanceGroups[" + name + "].count " + count + " must be at least 1");
            }
            market = market == null ? "ON_DEMAND" : market;
            if (!MARKETS.contains(market)) {
                throw new IllegalArgumentException("instanceGroups[" + name + "].market '" + market + "' is not one of " + MARKETS);
            }
        }
    }

    /**
     * The job jars and the flags both jobs run with on the cluster (the common job flags of the jobs' CLIs).
     *
     * @param streamingJar         s3:// URI of streamtree-streaming-job-*-all.jar
     * @param retrainJar           s3:// URI of streamtree-retrain-job-*-all.jar
     * @param extraJars            optional s3:// jars for --jars (e.g. the MSK IAM auth library)
     * @param kafkaProperties      optional s3:// Kafka client properties file, shipped with --files
     * @param bootstrapServers     Kafka bootstrap servers (host:port,...)
     * @param schema               schema location; defaults to builtin:agrawal
     * @param lake                 s3:// lake root
     * @param registry             s3:// model registry root
     * @param checkpoint           s3:// streaming checkpoint directory
     * @param database             Glue database; defaults to streamtree
     * @param table                Glue table; defaults to events
     * @param topics               topic names; defaults to the common defaults
     * @param triggerInterval      streaming trigger interval such as 10s; defaults to 10s
     * @param maxOffsetsPerTrigger optional cap on records per micro-batch
     * @param sparkConf            extra --conf properties for both steps
     * @param realTimeCheckpointInterval optional: run the streaming job in real-time mode ({@code --real-time}) with
     *                             this checkpoint interval, e.g. 5m; it then holds one executor core per partition of
     *                             the events topic for as long as it runs, plus the cores of the lake's micro-batches
     */
    public record Jobs(String streamingJar, String retrainJar, List<String> extraJars, String kafkaProperties,
                       String bootstrapServers, String schema, String lake, String registry, String checkpoint,
                       String database, String table, Topics topics, String triggerInterval,
                       Long maxOffsetsPerTrigger, Map<String, String> sparkConf, String realTimeCheckpointInterval) {

        private static final Pattern DURATION = Pattern.compile("\\d+(ms|s|m|h)");

        public Jobs {
            requireS3(streamingJar, "jobs.streamingJar");
            requireS3(retrainJar, "jobs.retrainJar");
            extraJars = extraJars == null ? List.of() : List.copyOf(extraJars);
            extraJars.forEach(jar -> requireS3(jar, "jobs.extraJars"));
            if (kafkaProperties != null) {
                requireS3(kafkaProperties, "jobs.kafkaProperties");
            }
            requireText(bootstrapServers, "jobs.bootstrapServers");
            schema = schema == null ? "builtin:agrawal" : schema;
            requireS3(lake, "jobs.lake");
            requireS3(registry, "jobs.registry");
            requireS3(checkpoint, "jobs.checkpoint");
            database = database == null ? "streamtree" : database;
            table = table == null ? "events" : table;
            topics = topics == null ? Topics.defaults() : topics;
            triggerInterval = triggerInterval == null ? "10s" : triggerInterval;
            if (!DURATION.matcher(triggerInterval).matches()) {
                throw new IllegalArgumentException("jobs.triggerInterval '" + triggerInterval + "' is not a duration such as 10s");
            }
            if (maxOffsetsPerTrigger != null && maxOffsetsPerTrigger < 1) {
                throw new IllegalArgumentException("jobs.maxOffsetsPerTrigger " + maxOffsetsPerTrigger + " must be positive");
            }
            sparkConf = sorted(sparkConf);
            if (realTimeCheckpointInterval != null && !DURATION.matcher(realTimeCheckpointInterval).matches()) {
                throw new IllegalArgumentException("jobs.realTimeCheckpointInterval '" + realTimeCheckpointInterval
                        + "' is not a duration such as 5m");
            }
        }

        /** File name of {@link #kafkaProperties()} in the YARN container's working directory, where --files puts it. */
        public String kafkaPropertiesFileName() {
            return kafkaProperties == null ? null : kafkaProperties.substring(kafkaProperties.lastIndexOf('/') + 1);
        }
    }

    private static void require(Object value, String key) {
        if (value == null) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
    }

    private static void requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + key + "' is missing or blank");
        }
    }

    private static void requireS3(String value, String key) {
        requireText(value, key);
        if (!value.startsWith("s3://") || value.length() <= "s3://".length()) {
            throw new IllegalArgumentException(key + " '" + value + "' is not an s3:// URI");
        }
    }

    private static Map<String, String> sorted(Map<String, String> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
