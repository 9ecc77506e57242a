package dev.streamtree.streaming.score;

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
import dev.streamtree.model.score.PipelineModelFiles;
import dev.streamtree.model.score.TreeScorer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.Vector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The loader on versions of a real {@link FileSystemModelRegistry} holding depth-10 Agrawal trees written as the retrain
 * writes them: a model parsed from the bytes the registry's check read equals the one read from its files, reads no
 * file again, and a version whose files disagree with its manifest is refused naming the file. No Spark session.
 */
class SparkModelLoaderTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();
    private FileSystemModelRegistry registry;
    private SparkModelLoader loader;

    @BeforeEach
    void open() {
        registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), conf);
        loader = new SparkModelLoader(SCHEMA, conf);
    }

    @Test
    void theModelParsedFromTheCheckedBytesEqualsTheOneReadFromItsFiles() throws IOException {
        VersionId version = commit(1, true);
        ModelRegistry.VerifiedVersion verified = registry.verified(version);

        PipelineModel fromBytes = PipelineModelFiles.read(verified.modelLocation(), verified.modelFiles());
        PipelineModel fromFiles = PipelineModelFiles.read(verified.modelLocation(), conf);

        assertThat(fromBytes.uid()).isEqualTo(fromFiles.uid());
        assertThat(Arrays.stream(fromBytes.stages()).map(Transformer::uid))
                .containsExactlyElementsOf(Arrays.stream(fromFiles.stages()).map(Transformer::uid).toList());
        assertThat(((StringIndexerModel) fromBytes.stages()[0]).labelsArray())
                .isDeepEqualTo(((StringIndexerModel) fromFiles.stages()[0]).labelsArray());
        TreeScorer bytesScorer = loader.load(verified);
        TreeScorer filesScorer = loader.load(verified.modelLocation(), verified.metadata());
        assertThat(bytesScorer.tree().depth()).as("a realistic tree").isEqualTo(10);
        assertThat(bytesScorer.tree().toDebugString()).isEqualTo(filesScorer.tree().toDebugString());
        Random random = new Random(3);
        for (int i = 0; i < 300; i++) {
            Object[] values = new Object[SCHEMA.features().size()];
            for (int f = 0; f < values.length; f++) {
                values[f] = SCHEMA.features().get(f).valueAt(random.nextDouble());
            }
            Vector features = bytesScorer.features(values);
            assertThat(features).isEqualTo(filesScorer.features(values));
            assertThat(bytesScorer.probabilities(features)).containsExactly(filesScorer.probabilities(features));
        }
    }

    @Test
    void aLoadFromTheCheckedBytesReadsNoFileAgain() throws IOException {
        VersionId version = commit(2, false);
        ModelRegistry.VerifiedVersion verified = registry.verified(version);
        deleteRecursively(Path.of(URI.create(registry.versionLocation(version))));

        assertThat(loader.load(verified).tree().numNodes()).as("nodes of the tree parsed from memory").isGreaterThan(100);
        assertThatThrownBy(() -> loader.load(verified.modelLocation(), verified.metadata()))
                .as("the same load from the deleted files").isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void aModelFileMissingFromTheCheckedBytesFailsAsAMissingFileDoes() throws IOException {
        VersionId version = commit(3, false);
        ModelRegistry.VerifiedVersion verified = registry.verified(version);
        Map<String, byte[]> files = new HashMap<>(verified.modelFiles());
        String treeMetadata = files.keySet().stream().filter(p -> p.contains("_dtc_") && p.contains("/metadata/part-"))
                .findFirst().orElseThrow();
        files.remove(treeMetadata);

        assertThatThrownBy(() -> PipelineModelFiles.read(verified.modelLocation(), files))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 0 .txt part files in metadata, expected 1");
    }

    @Test
    void aTrackerRefusesAVersionWhoseTreeFileDisagreesWithItsManifestAndKeepsServing() throws IOException {
        VersionId good = commit(4, false);
        VersionId damaged = commit(5, false);
        Path treeData;
        try (Stream<Path> files = Files.walk(Path.of(URI.create(registry.modelLocation(damaged))))) {
            treeData = files.filter(f -> f.toString().contains("_dtc_") && f.toString().endsWith(".parquet"))
                    .findFirst().orElseThrow();
        }
        try (RandomAccessFile file = new RandomAccessFile(treeData.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0x01); // same size, one bit flipped
        }
        try (ModelTracker<TreeScorer> tracker = new ModelTracker<>(registry, SCHEMA, loader)) {
            registry.promote(good, "first");
            assertThat(tracker.refresh()).map(ServingModel::version).contains(good);

            // promote() checks too, so the pointer is moved by hand, as a concurrent writer or a bad copy could
            Files.writeString(dir.resolve("registry/current"), damaged + "\n");
            assertThat(tracker.refresh()).map(ServingModel::version).as("still serving").contains(good);
            assertThat(tracker.refusals()).isEqualTo(1);
            assertThatThrownBy(() -> tracker.version(damaged))
                    .isInstanceOf(ModelTracker.UnavailableVersionException.class)
                    .hasMessageContaining("corrupt version")
                    .hasMessageContaining("file model/stages/" + treeData.getParent().getParent().getFileName() + "/data/"
                            + treeData.getFileName() + " does not match its checksum");
        }
    }

    /**
     * Commits a depth-10 tree grown on the driver from noisy synthetic Agrawal rows, with the retrain's writer, and a
     * stray Hadoop checksum side file when {@code withCrc} (Spark's own writer leaves those; the manifest lists them).
     */
    private VersionId commit(long seed, boolean withCrc) throws IOException {
        Random random = new Random(seed);
        int[] arity = FeaturePipeline.arities(SCHEMA);
        int rows = 3000;
        double[][] x = new double[rows][arity.length];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int f = 0; f < arity.length; f++) {
                x[r][f] = arity[f] == 0 ? random.nextDouble() * 100_000 : random.nextInt(arity[f]);
                s += Math.sin(x[r][f] * (f + 1) * 0.0007);
            }
            y[r] = s + random.nextGaussian() * 0.3 > 0 ? 1 : 0;
        }
        PipelineModel model = FeaturePipeline.model(SCHEMA, FeaturePipeline.fitTreeOnDriver(
                new DriverTreeTrainer.Rows(x, y, null), SCHEMA, TreeParams.of(10, 1)));
        try (PendingVersion pending = registry.stage()) {
            ModelWriter.save(model, SCHEMA, pending.modelLocation(), conf);
            if (withCrc) {
                Path metadata = Path.of(URI.create(pending.modelLocation())).resolve("metadata");
                try (Stream<Path> files = Files.list(metadata)) {
                    Path part = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
                    byte[] content = Files.readAllBytes(part);
                    Files.delete(part);
                    try (var out = FileSystem.getLocal(conf).create(new org.apache.hadoop.fs.Path(part.toUri()))) {
                        out.write(content); // through the checksummed local file system, which writes .part-*.crc
                    }
                    assertThat(metadata.resolve("." + part.getFileName() + ".crc")).exists();
                }
            }
            return pending.commit(new ModelMetadata(Instant.EPOCH, SCHEMA.fingerprint(), SCHEMA.featureNames(),
                    SCHEMA.label().classes(), "test", rows, 0, Map.of(), Map.of(), Map.of(), Map.of(), null, "4.1.0",
                    "test"));
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
