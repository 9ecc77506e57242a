package dev.streamtree.bench.parts;

import dev.streamtree.bench.TrainingBenchmark;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.bench.report.Measurement;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.retrain.train.Evaluation;
import dev.streamtree.retrain.train.Metrics;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The retrain's tree (streamtree's FeaturePipeline, Spark DecisionTreeClassifier) against scikit-learn's
 * DecisionTreeClassifier on the same Agrawal rows and the same split (first 80% train, last 20% holdout), same
 * depth, gini. Same data generation as {@link TrainingBenchmark}; sklearn runs bench/sklearn/compare.py.
 */
public final class TrainingPart {

    /** "Equal" accuracy: within a tenth of a percentage point. */
    static final double ACCURACY_TOLERANCE = 0.001;
    private static final double FIT_RATIO_GOAL = 1.5;
    private static final long SEED = 42;

    private TrainingPart() {
    }

    public static List<Measurement> run(BenchContext ctx) throws Exception {
        EventSchema schema = ctx.schema();
        int rows = ctx.sizes().trainingRows();
        int depth = ctx.sizes().depth();
        Path dir = ctx.dir("training");
        Files.createDirectories(dir);
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        writeSplit(schema, rows, train, test);

        SparkSession spark = ctx.spark();
        StructType csv = new StructType();
        for (Feature f : schema.features()) {
            csv = csv.add(f.name(), f.isNumeric() ? DataTypes.DoubleType : DataTypes.StringType);
        }
        csv = csv.add(schema.label().name(), DataTypes.StringType);
        Dataset<Row> trainRows = FeaturePipeline.labelledRows(spark.read().option("header", "true").schema(csv)
                .csv(train.toString()), schema).cache();
        Dataset<Row> testRows = FeaturePipeline.labelledRows(spark.read().option("header", "true").schema(csv)
                .csv(test.toString()), schema).cache();
        long trainCount = trainRows.count();
        testRows.count();
        TreeParams params = new TreeParams(depth, 1, "gini", ctx.sizes().maxBins(), false);
        FeaturePipeline.fit(trainRows.limit(20_000), schema, params); // warm-up: JIT and code generation
        long start = System.nanoTime();
        PipelineModel model = FeaturePipeline.fit(trainRows, schema, params);
        double sparkFit = (System.nanoTime() - start) / 1e9;
        Metrics metrics = Evaluation.evaluate(model, testRows, schema);
        trainRows.unpersist();
        testRows.unpersist();

        List<Measurement> out = new ArrayList<>();
        String what = String.format(Locale.ROOT, "depth %d, maxBins %d, %,d train rows", depth, ctx.sizes().maxBins(), trainCount);
        out.add(Measurement.plain("training", "streamtree (Spark) fit, " + what, sparkFit, "s"));
        out.add(Measurement.plain("training", "streamtree holdout accuracy", metrics.accuracy(), "ratio"));
        JsonNode sk = sklearn(ctx, train, test, depth, dir.resolve("sklearn.json"));
        double skFit = sk.get("fit_seconds").asDouble();
        double skAccuracy = sk.get("accuracy").asDouble();
        out.add(Measurement.plain("training", "scikit-learn fit, same split", skFit, "s"));
        out.add(Measurement.plain("training", "scikit-learn holdout accuracy", skAccuracy, "ratio"));
        double ratio = sparkFit / skFit;
        out.add(Measurement.checked("training", "fit time / scikit-learn's", ratio, "ratio", "scikit-learn",
                "<= " + FIT_RATIO_GOAL, ratio <= FIT_RATIO_GOAL));
        double delta = metrics.accuracy() - skAccuracy;
        out.add(Measurement.checked("training", "accuracy - scikit-learn's", delta, "ratio", "scikit-learn",
                ">= -" + ACCURACY_TOLERANCE, delta >= -ACCURACY_TOLERANCE));
        return out;
    }

    private static JsonNode sklearn(BenchContext ctx, Path train, Path test, int depth, Path json) throws Exception {
        Path script = ctx.sizes().sklearnScript();
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("--sklearn-script " + script + " does not exist (run from the repository root)");
        }
        Process p = new ProcessBuilder(ctx.sizes().python(), script.toString(), "--train", train.toString(),
                "--test", test.toString(), "--depth", String.valueOf(depth), "--json", json.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroy();
            throw new IllegalStateException(ctx.sizes().python() + " " + script + " failed (is python3-sklearn installed? "
                    + "apt-get install -y python3-sklearn)");
        }
        return Json.mapper().readTree(json.toFile());
    }

    private static void writeSplit(EventSchema schema, int rows, Path train, Path test) throws IOException {
        TrainingBenchmark.writeSplit(schema, new AgrawalGenerator(SEED, DriftPlan.none(1), 0.05, "bench", Clock.systemUTC()),
                rows, train, test);
    }
}
