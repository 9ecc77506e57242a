package dev.streamtree.streaming;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeRows;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Models for integration tests: fits a {@link FeaturePipeline} model on generated labelled events, validated the way the
 * streaming job validates them, and commits it to a registry as a new version (not promoted).
 */
public final class TestModels {

    /** The JSON of training event {@code n}, whose id is {@code id}. */
    @FunctionalInterface
    public interface EventJson {
        String json(String id, int n);
    }

    private TestModels() {
    }

    /**
     * Fits a model with {@code params} on {@code rows} events {@code t-0 .. t-(rows-1)} made by {@code events}, and
     * commits it with metadata naming {@code rows} as its training rows.
     *
     * @throws IOException if the model files cannot be written to the staged version
     */
    public static VersionId train(SparkSession spark, ModelRegistry registry, EventSchema schema, TreeParams params,
                                  int rows, EventJson events) throws IOException {
        String[] ids = new String[rows];
        byte[][] values = new byte[rows][];
        for (int i = 0; i < rows; i++) {
            ids[i] = "t-" + i;
            values[i] = events.json(ids[i], i).getBytes(StandardCharsets.UTF_8);
        }
        Dataset<Row> lakeRows = LakeRows.of(spark, new EventValidator(schema), ids, values);
        PipelineModel model = FeaturePipeline.fit(lakeRows, schema, params);
        try (PendingVersion pending = registry.stage()) {
            model.write().overwrite().save(pending.modelLocation());
            return pending.commit(new ModelMetadata(Instant.now(), schema.fingerprint(), schema.featureNames(),
                    schema.label().classes(), "test", rows, 0, Map.of(), params.asMap(), Map.of(), Map.of(), null,
                    spark.version(), "test"));
        }
    }
}
