package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.streaming.sink.Predictions;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Optional;

/** Loads Spark PipelineModels and checks they turn lake rows into {@code prediction} and {@code probability}. */
public final class SparkModelLoader implements ModelLoader<PipelineModel> {

    private final StructType lakeSchema;

    public SparkModelLoader(EventSchema schema) {
        this.lakeSchema = LakeTable.sparkSchema(schema);
    }

    @Override
    public PipelineModel load(String location, ModelMetadata metadata) {
        return PipelineModel.load(location);
    }

    @Override
    public Optional<String> problem(PipelineModel model) {
        StructType output;
        try {
            output = model.transformSchema(lakeSchema);
        } catch (RuntimeException e) {
            return Optional.of("model cannot read the lake columns: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<String> columns = List.of(output.fieldNames());
        for (String required : List.of(Predictions.PREDICTION, Predictions.PROBABILITY)) {
            if (!columns.contains(required)) {
                return Optional.of("model output has no '" + required + "' column (has " + columns + ")");
            }
        }
        return Optional.empty();
    }
}
