package dev.streamtree.bench.parts;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.model.pipeline.DriverTreeTrainer;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.ModelWriter;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.score.SparkModelLoader;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The swap part's fresh versions, on a local registry with trees grown on the driver; no Spark session, no broker. */
class FreshVersionsTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");

    private final Configuration conf = new Configuration();

    @Test
    void commitsNewIdsThatAlternateTheSourcesTreesAndEachLoads(@TempDir Path dir) {
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), conf);
        VersionId shallow = commit(registry, 2);
        VersionId deep = commit(registry, 6);
        List<VersionId> sources = List.of(deep, shallow);

        List<VersionId> copies = FreshVersions.commitCopies(registry, sources, 5, conf);

        assertThat(copies).as("one new version per copy").hasSize(5);
        assertThat(new HashSet<>(copies)).as("distinct ids").hasSize(5);
        assertThat(copies).as("none is a source").doesNotContainAnyElementsOf(sources);
        assertThat(registry.versions()).as("all committed").containsAll(copies);
        SparkModelLoader loader = new SparkModelLoader(SCHEMA, conf);
        String deepTree = load(loader, registry, deep).tree().toDebugString();
        String shallowTree = load(loader, registry, shallow).tree().toDebugString();
        assertThat(deepTree).as("the two sources differ").isNotEqualTo(shallowTree);
        for (int i = 0; i < copies.size(); i++) {
            VersionId copy = copies.get(i);
            VersionId source = sources.get(i % 2);
            assertThat(load(loader, registry, copy).tree().toDebugString()).as(copy + " holds the tree of " + source)
                    .isEqualTo(source.equals(deep) ? deepTree : shallowTree);
            assertThat(registry.metadata(copy)).as(copy + "'s metadata").isEqualTo(registry.metadata(source));
        }
    }

    @Test
    void refusesANegativeCountNoSourcesAndAnUnknownSource(@TempDir Path dir) {
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), conf);
        VersionId only = commit(registry, 2);

        assertThatThrownBy(() -> FreshVersions.commitCopies(registry, List.of(only), -1, conf))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("number of version copies must be >= 0, got -1");
        assertThatThrownBy(() -> FreshVersions.commitCopies(registry, List.of(), 3, conf))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no versions to copy");
        assertThatThrownBy(() -> FreshVersions.commitCopies(registry, List.of(only, new VersionId(9)), 3, conf))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("model version v000009 does not exist");
        assertThat(registry.versions()).as("nothing committed by a refused call").containsExactly(only);
    }

    private static TreeScorer load(SparkModelLoader loader, ModelRegistry registry, VersionId version) {
        ModelRegistry.VerifiedVersion verified = registry.verified(version);
        return loader.load(verified.modelLocation(), verified.metadata());
    }

    /** Grows a tree of {@code depth} on made-up rows (the label follows the first numeric feature, with noise). */
    private VersionId commit(ModelRegistry registry, int depth) {
        int[] arities = FeaturePipeline.arities(SCHEMA);
        Random random = new Random(depth);
        int n = 2_000;
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[arities.length];
            for (int f = 0; f < arities.length; f++) {
                x[i][f] = arities[f] == 0 ? random.nextDouble() : random.nextInt(arities[f] - 1);
            }
            y[i] = random.nextDouble() < x[i][firstNumeric(arities)] ? 1 : 0;
        }
        TreeParams params = TreeParams.of(depth, 1);
        var model = FeaturePipeline.model(SCHEMA,
                FeaturePipeline.fitTreeOnDriver(new DriverTreeTrainer.Rows(x, y, null), SCHEMA, params));
        try (PendingVersion pending = registry.stage()) {
            ModelWriter.save(model, SCHEMA, pending.modelLocation(), conf);
            return pending.commit(new ModelMetadata(Instant.parse("2026-12-04T00:00:00Z"), SCHEMA.fingerprint(),
                    SCHEMA.featureNames(), SCHEMA.label().classes(), "test", n, 0, Map.of(), params.asMap(), Map.of(),
                    Map.of(), null, "test", "test"));
        }
    }

    private static int firstNumeric(int[] arities) {
        for (int f = 0; f < arities.length; f++) {
            if (arities[f] == 0) {
                return f;
            }
        }
        throw new IllegalStateException("the schema has no numeric feature");
    }
}
