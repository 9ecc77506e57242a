package dev.streamtree.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Parses k8s/ with fabric8, checks the spark-operator resources against the operator's own v1beta2 CRDs (copied
 * unchanged into src/test/resources/crds/, see the README there), checks RBAC, secrets and storage, and that every jar
 * and main class the applications run is in the image docker/Dockerfile builds from {@code ./mvnw -DskipTests package}.
 */
class K8sManifestsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String NAMESPACE = "streamtree";

    private final List<JsonNode> documents = documents();
    private final List<HasMetadata> resources = documents.stream()
            .map(doc -> SERIALIZATION.unmarshal(doc.toString(), HasMetadata.class)).toList();

    private static List<JsonNode> documents() {
        try (Stream<Path> files = Files.list(RepoFiles.path("k8s"))) {
            List<JsonNode> all = new ArrayList<>();
            files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(f -> all.addAll(RepoFiles.yamlDocuments(f)));
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JSONSchemaProps schema(String crdFile) {
        try (InputStream in = K8sManifestsTest.class.getResourceAsStream("/crds/" + crdFile)) {
            // The operator's files open with "---": take the one document they hold.
            List<JsonNode> crds = RepoFiles.yamlDocuments(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            assertThat(crds).hasSize(1);
            CustomResourceDefinition crd = SERIALIZATION.unmarshal(crds.get(0).toString(), CustomResourceDefinition.class);
            assertThat(crd.getSpec().getGroup()).isEqualTo("sparkoperator.k8s.io");
            return crd.getSpec().getVersions().stream().filter(v -> v.getName().equals("v1beta2")).findFirst().orElseThrow()
                    .getSchema().getOpenAPIV3Schema();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final JSONSchemaProps SPARK_APPLICATION = schema("sparkoperator.k8s.io_sparkapplications.yaml");
    private static final JSONSchemaProps SCHEDULED = schema("sparkoperator.k8s.io_scheduledsparkapplications.yaml");

    private JsonNode document(String kind) {
        return documents.stream().filter(doc -> doc.path("kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    private <T extends HasMetadata> T resource(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    @Test
    void fabric8ParsesEveryManifestIntoItsKind() {
        assertThat(resources).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
                "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "PersistentVolumeClaim",
                "SparkApplication", "ScheduledSparkApplication");
        assertThat(resources).filteredOn(r -> r.getKind().endsWith("SparkApplication"))
                .allMatch(r -> r instanceof GenericKubernetesResource && r.getApiVersion().equals("sparkoperator.k8s.io/v1beta2"));
        assertThat(resources).allMatch(r -> NAMESPACE.equals(r.getMetadata().getNamespace()), "all in namespace " + NAMESPACE);
    }

    @Test
    void sparkResourcesMatchTheOperatorSchema() {
        assertThat(CrdSchemaValidator.validate(SPARK_APPLICATION, document("SparkApplication"))).isEmpty();
        assertThat(CrdSchemaValidator.validate(SCHEDULED, document("ScheduledSparkApplication"))).isEmpty();
    }

    @Test
    void schemaCheckRejectsWhatTheOperatorWouldReject() {
        ObjectNode app = document("SparkApplication").deepCopy();
        ObjectNode spec = (ObjectNode) app.get("spec");
        spec.remove("mainApplicationFile");
        ((ObjectNode) spec.get("restartPolicy")).put("type", "Sometimes");
        ((ObjectNode) spec.get("driver")).put("cores", "one");
        ((ObjectNode) spec.get("executor")).put("instances", 0);
        spec.put("sparkVersoin", "4.1.0");
        ArrayNode arguments = (ArrayNode) spec.get("arguments");
        int badArgument = arguments.size();
        arguments.add(7);

        assertThat(CrdSchemaValidator.validate(SPARK_APPLICATION, app)).containsExactlyInAnyOrder(
                ".spec.mainApplicationFile: is required",
                ".spec.restartPolicy.type: \"Sometimes\" is not one of [\"Never\", \"Always\", \"OnFailure\"]",
                ".spec.driver.cores: must be integer, got string \"one\"",
                ".spec.executor.instances: 0 is below the minimum 1",
                ".spec.sparkVersoin: unknown field",
                ".spec.arguments[" + badArgument + "]: must be string, got number 7");

        ObjectNode scheduled = document("ScheduledSparkApplication").deepCopy();
        ((ObjectNode) scheduled.get("spec")).put("successfulRunHistoryLimit", "three").remove("schedule");
        ((ObjectNode) scheduled.at("/spec/template/driver")).put("memroy", "2g");
        assertThat(CrdSchemaValidator.validate(SCHEDULED, scheduled)).containsExactlyInAnyOrder(
                ".spec.schedule: is required",
                ".spec.successfulRunHistoryLimit: must be integer, got string \"three\"",
                ".spec.template.driver.memroy: unknown field");
    }

    @Test
    void streamingJobRestartsAlwaysAndRetrainingNeverOverlaps() {
        assertThat(document("SparkApplication").at("/spec/restartPolicy/type").asText()).isEqualTo("Always");
        JsonNode scheduled = document("ScheduledSparkApplication").path("spec");
        assertThat(scheduled.path("concurrencyPolicy").asText()).isEqualTo("Forbid");
        assertThat(scheduled.at("/template/restartPolicy/type").asText()).isEqualTo("OnFailure");
        assertThat(scheduled.at("/template/restartPolicy/onFailureRetries").asInt()).isPositive();
        assertThat(scheduled.at("/template/arguments/0").asText()).isEqualTo("run");
    }

    @Test
    void jobsRunTheShadedJarsTheImageShipsWithTheContractMainClasses() {
        String dockerfile = RepoFiles.read("docker/Dockerfile");
        assertThat(dockerfile).contains("FROM apache/spark:4.1.0-scala2.13-java17-ubuntu");
        List<JsonNode> specs = List.of(document("SparkApplication").path("spec"),
                document("ScheduledSparkApplication").path("spec").path("template"));
        List<String> modules = List.of("streaming-job", "retrain-job");
        List<String> mainClasses = List.of("dev.streamtree.streaming.StreamingJobMain", "dev.streamtree.retrain.RetrainJobMain");
        for (int i = 0; i < specs.size(); i++) {
            JsonNode spec = specs.get(i);
            String jar = RepoFiles.shadedJar(modules.get(i));
            String jarName = jar.substring(jar.lastIndexOf('/') + 1);
            assertThat(spec.path("mainApplicationFile").asText()).isEqualTo("local:///opt/streamtree/jars/" + jarName);
            assertThat(spec.path("mainClass").asText()).isEqualTo(mainClasses.get(i));
            String imagePath = spec.path("mainApplicationFile").asText().substring("local://".length());
            String source = DockerBuildContext.copies(dockerfile).stream()
                    .filter(copy -> copy.destination().endsWith("/") && imagePath.startsWith(copy.destination()))
                    .flatMap(copy -> copy.sources().stream())
                    .filter(src -> src.endsWith("/" + imagePath.substring(imagePath.lastIndexOf('/') + 1)))
                    .findFirst().orElseThrow(() -> new AssertionError("no COPY in docker/Dockerfile puts " + imagePath));
            assertThat(RepoFiles.jarHasClass(RepoFiles.built(source), mainClasses.get(i)))
                    .as(source + " holds " + mainClasses.get(i)).isTrue();
            assertThat(spec.path("sparkVersion").asText()).isEqualTo("4.1.0");
            assertThat(spec.path("image").asText()).isEqualTo("streamtree/spark-jobs:" + RepoFiles.projectVersion());
        }
    }

    @Test
    void driversAnnounceTheirMetricsPortToPrometheusAndDeclareIt() {
        JsonNode streaming = document("SparkApplication").path("spec");
        List<String> args = new ArrayList<>();
        streaming.path("arguments").forEach(a -> args.add(a.asText()));
        String metricsPort = args.get(args.indexOf("--metrics-port") + 1);
        JsonNode annotations = streaming.at("/driver/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(metricsPort);
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
        assertThat(streaming.at("/driver/ports").findValuesAsText("containerPort")).contains(metricsPort);

        // A scheduled `run` has no scheduler metrics; its driver shows Spark's own on the UI port while it runs.
        JsonNode retrain = document("ScheduledSparkApplication").path("spec").path("template");
        assertThat(retrain.at("/driver/annotations/prometheus.io~1port").asText()).isEqualTo("4040");
        assertThat(retrain.at("/driver/annotations/prometheus.io~1path").asText()).isEqualTo("/metrics/prometheus");
        assertThat(retrain.at("/driver/ports").findValuesAsText("containerPort")).contains("4040");
        for (JsonNode spec : List.of(streaming, retrain)) {
            assertThat(spec.path("sparkConf").path("spark.ui.prometheus.enabled").asText()).isEqualTo("true");
            assertThat(spec.path("sparkConf").path("spark.metrics.conf.*.sink.prometheusServlet.class").asText())
                    .isEqualTo("org.apache.spark.metrics.sink.PrometheusServlet");
            assertThat(spec.path("sparkConf").path("spark.metrics.conf.*.sink.prometheusServlet.path").asText())
                    .isEqualTo("/metrics/prometheus");
        }
    }

    @Test
    void schemaCheckRejectsAMalformedMetricsPort() {
        ObjectNode app = document("SparkApplication").deepCopy();
        ((ObjectNode) app.at("/spec/driver/ports/0")).remove("protocol");
        ((ObjectNode) app.at("/spec/driver/annotations")).put("prometheus.io/port", 9464);
        assertThat(CrdSchemaValidator.validate(SPARK_APPLICATION, app))
                .anySatisfy(error -> assertThat(error).contains(".spec.driver.ports[0]").contains("protocol"))
                .anySatisfy(error -> assertThat(error).contains(".spec.driver.annotations"));
    }

    @Test
    void podsRunAsNonRootWithoutPrivilegeEscalation() {
        List<JsonNode> pods = new ArrayList<>();
        for (JsonNode spec : List.of(document("SparkApplication").path("spec"),
                document("ScheduledSparkApplication").path("spec").path("template"))) {
            pods.add(spec.path("driver"));
            pods.add(spec.path("executor"));
        }
        for (JsonNode pod : pods) {
            assertThat(pod.at("/podSecurityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(pod.at("/podSecurityContext/runAsUser").asLong()).isPositive();
            assertThat(pod.at("/podSecurityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
            assertThat(pod.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
            assertThat(pod.at("/securityContext/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        }
    }

    @Test
    void everyReferencedAccountConfigAndVolumeIsDefinedHereAndTheSecretIsTheDocumentedOne() {
        ServiceAccount account = resource(ServiceAccount.class);
        RoleBinding binding = resource(RoleBinding.class);
        Role role = resource(Role.class);
        ConfigMap config = resource(ConfigMap.class);
        PersistentVolumeClaim claim = resource(PersistentVolumeClaim.class);
        Map<String, List<String>> documentedSecrets = documentedSecrets();

        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).anyMatch(s -> s.getKind().equals("ServiceAccount")
                && s.getName().equals(account.getMetadata().getName()));

        for (JsonNode spec : List.of(document("SparkApplication").path("spec"),
                document("ScheduledSparkApplication").path("spec").path("template"))) {
            assertThat(spec.at("/driver/serviceAccount").asText()).isEqualTo(account.getMetadata().getName());
            for (JsonNode volume : spec.path("volumes")) {
                if (volume.has("configMap")) {
                    assertThat(volume.at("/configMap/name").asText()).isEqualTo(config.getMetadata().getName());
                }
                if (volume.has("persistentVolumeClaim")) {
                    assertThat(volume.at("/persistentVolumeClaim/claimName").asText()).isEqualTo(claim.getMetadata().getName());
                }
            }
            List<JsonNode> secretRefs = spec.at("/driver/env").findValues("secretKeyRef");
            assertThat(secretRefs).isNotEmpty();
            for (JsonNode ref : secretRefs) {
                assertThat(documentedSecrets).as("secrets docs/deploy.md creates")
                        .containsKey(ref.path("name").asText());
                assertThat(documentedSecrets.get(ref.path("name").asText())).as("keys of secret " + ref.path("name").asText())
                        .contains(ref.path("key").asText());
            }
            List<String> args = new ArrayList<>();
            spec.path("arguments").forEach(a -> args.add(a.asText()));
            String properties = args.get(args.indexOf("--kafka-properties") + 1);
            String mountPath = spec.at("/driver/volumeMounts").findParents("name").stream()
                    .filter(m -> m.path("name").asText().equals("config")).findFirst().orElseThrow().path("mountPath").asText();
            assertThat(properties).startsWith(mountPath + "/");
            assertThat(config.getData()).containsKey(properties.substring(mountPath.length() + 1));
            assertThat(args.get(args.indexOf("--lake") + 1)).startsWith("/data/streamtree/");
        }
    }

    /** secret name -> keys, from each {@code kubectl ... create secret generic NAME --from-literal=KEY=...} in docs/deploy.md. */
    private static Map<String, List<String>> documentedSecrets() {
        Map<String, List<String>> secrets = new LinkedHashMap<>();
        String docs = RepoFiles.read("docs/deploy.md").replace("\\\n", " ");
        Matcher command = Pattern.compile("kubectl (?:-n " + NAMESPACE + " )?create secret generic ([a-z0-9-]+)([^\n]*)")
                .matcher(docs);
        while (command.find()) {
            Matcher key = Pattern.compile("--from-(?:literal|file)=([A-Za-z0-9_.-]+)=").matcher(command.group(2));
            List<String> keys = new ArrayList<>();
            while (key.find()) {
                keys.add(key.group(1));
            }
            secrets.put(command.group(1), keys);
        }
        return secrets;
    }

    @Test
    void applyingTheDirectoryNeverWritesASecret() throws IOException {
        List<String> applied;
        try (Stream<Path> files = Files.list(RepoFiles.path("k8s"))) {
            // kubectl apply -f <dir> reads the directory's .json, .yaml and .yml files.
            applied = files.map(f -> f.getFileName().toString()).filter(n -> n.matches(".*\\.(json|ya?ml)")).sorted().toList();
        }
        assertThat(applied).as("files kubectl apply -f k8s/ reads").isNotEmpty();
        for (String file : applied) {
            assertThat(RepoFiles.yamlDocuments(RepoFiles.path("k8s/" + file))).extracting(doc -> doc.path("kind").asText())
                    .as(file).doesNotContain("Secret");
        }
        assertThat(documentedSecrets()).as("docs/deploy.md tells how to create the secret").containsKey("streamtree-kafka");
        assertThat(RepoFiles.read("docs/deploy.md")).doesNotContain("REPLACE_FROM_ENV");
        String properties = resource(ConfigMap.class).getData().get("kafka-client.properties");
        assertThat(properties).contains("sasl.jaas.config=${env:KAFKA_SASL_JAAS_CONFIG}")
                .doesNotContainIgnoringCase("password=");
    }

    @Test
    void theDriverRoleGrantsOnlyWhatSparkOnKubernetesUses() {
        Role role = resource(Role.class);
        Map<String, Set<String>> verbs = new LinkedHashMap<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getApiGroups()).containsExactly("");
            for (String resource : rule.getResources()) {
                verbs.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(rule.getVerbs());
            }
        }
        assertThat(verbs.keySet()).containsExactlyInAnyOrder("pods", "services", "configmaps", "persistentvolumeclaims");
        assertThat(verbs.get("pods")).contains("create", "delete", "watch", "list");
        assertThat(verbs.get("persistentvolumeclaims")).as("the data claim is made by kubectl, never by the jobs")
                .containsExactlyInAnyOrder("get", "list");
        assertThat(verbs.values()).allSatisfy(granted -> assertThat(granted).doesNotContain("*", "escalate", "bind", "impersonate"));
    }

    @Test
    void theSharedDataClaimAsksForAReadWriteManyClassByName() {
        PersistentVolumeClaim claim = resource(PersistentVolumeClaim.class);
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        String storageClass = claim.getSpec().getStorageClassName();
        assertThat(storageClass).as("storageClassName (the default class on EKS is EBS, which cannot serve RWX)").isEqualTo("efs-sc");
        assertThat(RepoFiles.read("docs/deploy.md")).contains("storageClassName").contains(storageClass).contains("ReadWriteMany");
    }

    @Test
    void docsStateTheOperatorPrerequisitesForThisNamespace() {
        String docs = RepoFiles.read("docs/deploy.md");
        assertThat(docs).contains("webhook.enable=true").containsPattern("spark\\.jobNamespaces[^\n]*" + NAMESPACE);
    }
}
