package dev.streamtree.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks docker-compose.yml without a Docker engine (none on the build machines): images, services, environment,
 * health checks, volumes, and that every mounted path and jar it runs is something this repository builds.
 */
class DockerComposeTest {

    private static final String SPARK_IMAGE = "apache/spark:4.1.0-scala2.13-java17-ubuntu";
    private static final String BOOTSTRAP = "kafka:9092";

    /** compose-spec/compose-spec schema/compose-spec.json, the schema `docker compose config` validates with. */
    private static final Schema COMPOSE_SPEC = composeSpec();

    private final JsonNode compose = RepoFiles.yamlDocuments(RepoFiles.path("docker-compose.yml")).get(0);
    private final JsonNode services = compose.path("services");

    private static Schema composeSpec() {
        // Loaded by its classpath location, which gives the schema's relative $id (compose_spec.json) a base.
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of("classpath:schemas/compose-spec.json"));
    }

    private static List<String> schemaErrors(JsonNode document) {
        return COMPOSE_SPEC.validate(document).stream().map(Error::toString).toList();
    }

    private JsonNode service(String name) {
        assertThat(services.has(name)).as("service " + name).isTrue();
        return services.path(name);
    }

    private static List<String> command(JsonNode service) {
        List<String> args = new ArrayList<>();
        service.path("command").forEach(arg -> args.add(arg.asText()));
        return args;
    }

    private static String flag(List<String> args, String name) {
        int at = args.indexOf(name);
        assertThat(at).as(name + " in " + args).isNotNegative();
        return args.get(at + 1);
    }

    /** container path -> host source ("./dir" for a bind mount, a volume name otherwise). */
    private static Map<String, String> mounts(JsonNode service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        service.path("volumes").forEach(volume -> {
            String[] parts = volume.asText().split(":");
            mounts.put(parts[1], parts[0]);
        });
        return mounts;
    }

    @Test
    void passesTheComposeSpecSchema() {
        assertThat(schemaErrors(compose)).isEmpty();
    }

    @Test
    void schemaCheckRejectsWhatComposeWouldReject() {
        ObjectNode broken = compose.deepCopy();
        ((ObjectNode) broken.path("services").path("kafka")).put("healthchek", "typo");
        ((ObjectNode) broken.path("services").path("generator")).put("restart", 3);
        ((ObjectNode) broken.path("services").path("streaming").path("depends_on").path("kafka-init"))
                .put("condition", "service_done");

        // depends_on is a oneOf (list or map), so the bad condition also reports both branches failing.
        assertThat(schemaErrors(broken))
                .anySatisfy(error -> assertThat(error).startsWith("/services/kafka: property 'healthchek' is not defined"))
                .anySatisfy(error -> assertThat(error).startsWith("/services/generator/restart: integer found, string expected"))
                .anySatisfy(error -> assertThat(error).startsWith("/services/streaming/depends_on/kafka-init/condition:")
                        .contains("enumeration"))
                .allSatisfy(error -> assertThat(error).startsWith("/services/"));
    }

    @Test
    void everyJarTheServicesRunIsBuiltByPackageAndHoldsTheMainClassTheyName() {
        Map<String, String> mainClasses = Map.of(
                "streaming", "dev.streamtree.streaming.StreamingJobMain",
                "retrain-scheduler", "dev.streamtree.retrain.RetrainJobMain",
                "generator", "dev.streamtree.ingest.IngestMain");
        List<String> checked = new ArrayList<>();
        services.properties().forEach(entry -> {
            List<String> args = command(entry.getValue());
            for (String arg : args) {
                if (!arg.endsWith(".jar")) {
                    continue;
                }
                Path jar = RepoFiles.built(hostPath(entry.getValue(), arg));
                // spark-submit --class Main app.jar ...; java -cp app.jar Main ...
                String mainClass = args.contains("--class") ? flag(args, "--class") : args.get(args.indexOf(arg) + 1);
                assertThat(mainClass).as(entry.getKey() + " main class").isEqualTo(mainClasses.get(entry.getKey()));
                assertThat(RepoFiles.jarHasClass(jar, mainClass)).as(jar + " holds " + mainClass).isTrue();
                checked.add(entry.getKey());
            }
        });
        assertThat(checked).containsExactlyInAnyOrderElementsOf(mainClasses.keySet());
    }

    @Test
    void theGeneratorsJarRunsOnAPlainJreBecauseItBundlesWhatSparkWouldProvide() {
        JsonNode generator = service("generator");
        assertThat(generator.path("image").asText()).startsWith("eclipse-temurin:17-jre");
        List<String> args = command(generator);
        assertThat(args.subList(0, 2)).containsExactly("java", "-cp");
        Path jar = RepoFiles.built(hostPath(generator, args.get(2)));
        for (String bundled : List.of("org.apache.kafka.clients.producer.KafkaProducer", "picocli.CommandLine",
                "com.fasterxml.jackson.databind.ObjectMapper", "org.slf4j.LoggerFactory", "org.slf4j.simple.SimpleLogger",
                "dev.streamtree.common.schema.EventSchema")) {
            assertThat(RepoFiles.jarHasClass(jar, bundled)).as(jar.getFileName() + " bundles " + bundled).isTrue();
        }
    }

    @Test
    void kafkaKeepsItsLogsInTheMountedNamedVolume() {
        JsonNode kafka = service("kafka");
        String logDirs = kafka.path("environment").path("KAFKA_LOG_DIRS").asText();
        assertThat(logDirs).as("KAFKA_LOG_DIRS (the image's default, /tmp/kraft-combined-logs, is in no volume)").isNotBlank();
        Map<String, String> mounts = mounts(kafka);
        for (String dir : logDirs.split(",")) {
            String volume = mounts.entrySet().stream().filter(m -> dir.equals(m.getKey()) || dir.startsWith(m.getKey() + "/"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            assertThat(volume).as("volume mounted over log dir " + dir).isNotNull().doesNotStartWith("./");
            assertThat(compose.path("volumes").has(volume)).as("declared volume " + volume).isTrue();
        }
    }

    /** The repository path of a file a service reads from a bind mount of {@code ./<dir>}. */
    private String hostPath(JsonNode service, String containerPath) {
        return mounts(service).entrySet().stream()
                .filter(m -> m.getValue().startsWith("./") && containerPath.startsWith(m.getKey() + "/"))
                .map(m -> m.getValue().substring(2) + containerPath.substring(m.getKey().length()))
                .findFirst().orElseThrow(() -> new AssertionError(containerPath + " is on no bind mount of " + service));
    }

    @Test
    void runsTheWholeLoopOnTheAgreedImages() {
        assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder(
                "kafka", "kafka-init", "volumes-init", "generator", "streaming", "retrain-scheduler", "prometheus", "grafana");
        assertThat(service("kafka").path("image").asText()).isEqualTo("apache/kafka:3.9.1");
        assertThat(service("streaming").path("image").asText()).isEqualTo(SPARK_IMAGE);
        assertThat(service("retrain-scheduler").path("image").asText()).isEqualTo(SPARK_IMAGE);
    }

    @Test
    void kafkaIsASingleNodeKraftBrokerAdvertisedToTheOtherServices() {
        JsonNode env = service("kafka").path("environment");
        assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText()).isEqualTo(env.path("KAFKA_NODE_ID").asText() + "@kafka:9093");
        assertThat(env.path("KAFKA_ADVERTISED_LISTENERS").asText()).contains("PLAINTEXT://" + BOOTSTRAP);
        assertThat(env.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asText()).isEqualTo("1");
        assertThat(env.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asText()).isEqualTo("1");
        assertThat(service("kafka-init").path("command").get(0).asText())
                .contains("streamtree.events ", "streamtree.events.dlq", "streamtree.predictions", "streamtree.control");
    }

    @Test
    void everyServiceWaitsForWhatItNeedsAndLongRunningOnesHaveHealthChecks() {
        for (String name : List.of("kafka", "generator", "streaming", "retrain-scheduler", "prometheus", "grafana")) {
            assertThat(service(name).path("healthcheck").path("test").get(0).asText()).as(name).isIn("CMD", "CMD-SHELL");
        }
        for (String name : List.of("generator", "streaming", "retrain-scheduler")) {
            assertThat(service(name).at("/depends_on/kafka-init/condition").asText()).as(name)
                    .isEqualTo("service_completed_successfully");
        }
        assertThat(service("kafka-init").at("/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
        assertThat(service("streaming").at("/depends_on/volumes-init/condition").asText()).isEqualTo("service_completed_successfully");
        assertThat(service("grafana").at("/depends_on/prometheus/condition").asText()).isEqualTo("service_healthy");
    }

    @Test
    void prometheusScrapesBothJobsOnTheMetricsPortsTheyServe() {
        JsonNode config = RepoFiles.yamlDocuments(RepoFiles.path("deploy/prometheus/prometheus.yml")).get(0);
        assertThat(mounts(service("prometheus"))).containsEntry("/etc/prometheus/prometheus.yml", "./deploy/prometheus/prometheus.yml");
        assertThat(command(service("prometheus"))).contains("--config.file=/etc/prometheus/prometheus.yml");
        Map<String, List<String>> targets = new LinkedHashMap<>();
        config.path("scrape_configs").forEach(job -> {
            List<String> hosts = new ArrayList<>();
            job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> hosts.add(t.asText())));
            targets.put(job.path("metrics_path").asText("/metrics") + " " + job.path("job_name").asText(), hosts);
        });
        for (String name : List.of("streaming", "retrain-scheduler")) {
            String port = flag(command(service(name)), "--metrics-port");
            assertThat(Integer.parseInt(port)).as(name + " --metrics-port").isPositive();
            assertThat(targets).as("a /metrics job scraping " + name)
                    .anySatisfy((job, hosts) -> {
                        assertThat(job).startsWith("/metrics ");
                        assertThat(hosts).contains(name + ":" + port);
                    });
            List<String> published = new ArrayList<>();
            service(name).path("ports").forEach(p -> published.add(p.asText()));
            assertThat(published).as(name + " publishes its metrics port").contains(port + ":" + port);
            assertThat(command(service(name))).as(name + " turns on Spark's PrometheusServlet")
                    .contains("spark.ui.prometheus.enabled=true",
                            "spark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet");
        }
        assertThat(targets).as("Spark's own metrics").containsEntry("/metrics/prometheus spark-driver",
                List.of("streaming:4040", "retrain-scheduler:4040"));
    }

    @Test
    void grafanaIsProvisionedWithPrometheusAndTheDashboard() {
        Map<String, String> mounts = mounts(service("grafana"));
        assertThat(mounts).containsEntry("/etc/grafana/provisioning", "./deploy/grafana/provisioning");
        String dashboardFile = mounts.entrySet().stream().filter(m -> m.getValue().equals("./deploy/grafana/streamtree.json"))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("grafana does not mount the dashboard"));
        JsonNode datasources = RepoFiles.yamlDocuments(RepoFiles.path("deploy/grafana/provisioning/datasources/prometheus.yml")).get(0);
        JsonNode datasource = datasources.path("datasources").get(0);
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        List<String> prometheusPorts = new ArrayList<>();
        service("prometheus").path("ports").forEach(p -> prometheusPorts.add(p.asText().split(":")[1]));
        assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:" + prometheusPorts.get(0));
        JsonNode providers = RepoFiles.yamlDocuments(RepoFiles.path("deploy/grafana/provisioning/dashboards/streamtree.yml")).get(0);
        assertThat(providers.at("/providers/0/options/path").asText()).as("the provider reads the mounted dashboard's directory")
                .isEqualTo(dashboardFile.substring(0, dashboardFile.lastIndexOf('/')));
        JsonNode dashboard = RepoFiles.yamlDocuments(RepoFiles.path("deploy/grafana/streamtree.json")).get(0);
        assertThat(dashboard.findValues("datasource")).as("every panel and annotation queries the provisioned data source")
                .filteredOn(ds -> ds.path("type").asText().equals("prometheus"))
                .isNotEmpty()
                .allSatisfy(ds -> assertThat(ds.path("uid").asText()).isEqualTo(datasource.path("uid").asText()));
    }

    @Test
    void jobsRunTheShadedJarsFromTheModulesTargetDirectories() {
        Map<String, String> modules = Map.of(
                "streaming", "streaming-job", "retrain-scheduler", "retrain-job", "generator", "ingest");
        Map<String, String> mainClasses = Map.of(
                "streaming", "dev.streamtree.streaming.StreamingJobMain",
                "retrain-scheduler", "dev.streamtree.retrain.RetrainJobMain",
                "generator", "dev.streamtree.ingest.IngestMain");
        modules.forEach((name, module) -> {
            JsonNode service = service(name);
            List<String> args = command(service);
            String jar = RepoFiles.shadedJar(module);
            String jarName = jar.substring(jar.lastIndexOf('/') + 1);
            String mountedDir = mounts(service).entrySet().stream()
                    .filter(m -> m.getValue().equals("./" + module + "/target")).map(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new AssertionError(name + " does not mount ./" + module + "/target"));
            assertThat(Files.isRegularFile(RepoFiles.path(module + "/pom.xml"))).as(module + " is a module").isTrue();
            assertThat(RepoFiles.read("pom.xml")).contains("<module>" + module + "</module>");
            assertThat(args).as(name).contains(mountedDir + "/" + jarName);
            assertThat(args).as(name).contains(mainClasses.get(name));
            assertThat(flag(args, "--bootstrap-servers")).isEqualTo(BOOTSTRAP);
        });
        assertThat(flag(command(service("streaming")), "--class")).isEqualTo(mainClasses.get("streaming"));
        List<String> retrain = command(service("retrain-scheduler"));
        assertThat(retrain.get(retrain.indexOf("schedule") - 1)).endsWith("/streamtree-retrain-job-" + RepoFiles.projectVersion() + "-all.jar");
        assertThat(command(service("generator"))).containsSubsequence("dev.streamtree.ingest.IngestMain", "generate");
    }

    @Test
    void lakeRegistryAndCheckpointsLiveOnDeclaredNamedVolumes() {
        JsonNode declared = compose.path("volumes");
        for (String volume : List.of("lake", "registry", "checkpoints")) {
            assertThat(declared.has(volume)).as("volume " + volume).isTrue();
        }
        Map<String, String> streaming = mounts(service("streaming"));
        Map<String, String> retrain = mounts(service("retrain-scheduler"));
        List<String> streamingArgs = command(service("streaming"));
        List<String> retrainArgs = command(service("retrain-scheduler"));
        assertThat(streaming.get(flag(streamingArgs, "--lake"))).isEqualTo("lake");
        assertThat(streaming.get(flag(streamingArgs, "--registry"))).isEqualTo("registry");
        assertThat(flag(streamingArgs, "--checkpoint")).startsWith(streaming.entrySet().stream()
                .filter(m -> m.getValue().equals("checkpoints")).map(Map.Entry::getKey).findFirst().orElseThrow() + "/");
        assertThat(retrain.get(flag(retrainArgs, "--lake"))).isEqualTo("lake");
        assertThat(retrain.get(flag(retrainArgs, "--registry"))).isEqualTo("registry");
        for (JsonNode service : services) {
            mounts(service).values().stream().filter(source -> !source.startsWith("./"))
                    .forEach(volume -> assertThat(declared.has(volume)).as("declared volume " + volume).isTrue());
        }
        assertThat(mounts(service("volumes-init")).keySet())
                .containsExactlyInAnyOrder("/data/lake", "/data/registry", "/data/checkpoints");
    }

    @Test
    void bindMountsOnlyReadOnlyBuildOutputsAndDeployConfigThatExists() {
        for (JsonNode service : services) {
            service.path("volumes").forEach(volume -> {
                String spec = volume.asText();
                if (spec.startsWith("./")) {
                    assertThat(spec).endsWith(":ro");
                    if (spec.startsWith("./deploy/")) {
                        assertThat(RepoFiles.path(spec.substring(2, spec.indexOf(':')))).as(spec).exists();
                    } else {
                        assertThat(spec).matches("\\./[a-z-]+/target:.*");
                    }
                }
            });
        }
    }
}
