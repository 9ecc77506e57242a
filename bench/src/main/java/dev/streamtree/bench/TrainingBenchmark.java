package dev.streamtree.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.retrain.train.Evaluation;
import dev.streamtree.retrain.train.Metrics;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Spark's decision tree against scikit-learn's on the same Agrawal data: writes {@code train.csv} (first 80%)
 * and {@code test.csv} (last 20%), fits the streamtree pipeline at the given depth (once to warm up on a sample,
 * then timed on everything), prints fit time and holdout accuracy, then runs {@code bench/sklearn/compare.py} on
 * the same files when {@code --sklearn} names it. Not part of the test suite.
 */
@Command(name = "training-benchmark", mixinStandardHelpOptions = true,
        description = "Fit time and holdout accuracy of the Spark tree vs scikit-learn on the same Agrawal split.")
public final class TrainingBenchmark implements Callable<Integer> {

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows to generate (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--depth", defaultValue = "10", description = "Tree depth (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--function", defaultValue = "1", description = "Agrawal function 1..10 (default: ${DEFAULT-VALUE}).")
    int function;

    @Option(names = "--perturbation", defaultValue = "0.05", description = "Noise on numeric features (default: ${DEFAULT-VALUE}).")
    double perturbation;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--out", defaultValue = "work/bench", description = "Where the CSV split goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--sklearn", paramLabel = "SCRIPT", description = "Path of bench/sklearn/compare.py to run on the same split.")
    Path sklearn;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with scikit-learn (default: ${DEFAULT-VALUE}).")
    String python;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainingBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        EventSchema schema = SchemaCodec.load("builtin:agrawal");
        Files.createDirectories(out);
        Path train = out.resolve("train.csv");
        Path test = out.resolve("test.csv");
        long t0 = System.nanoTime();
        writeSplit(schema, train, test);
        System.out.printf(Locale.ROOT, "generated %d Agrawal rows (function %d, perturbation %.2f) in %.1f s -> %s%n", rows, function,
                perturbation, (System.nanoTime() - t0) / 1e9, out);

        SparkSession.Builder builder = SparkSession.builder().appName("streamtree-training-benchmark").config("spark.ui.enabled", "false");
        if (!new SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        StructType csvSchema = new StructType();
        for (Feature f : schema.features()) {
            csvSchema = csvSchema.add(f.name(), f.isNumeric() ? DataTypes.DoubleType : DataTypes.StringType);
        }
        csvSchema = csvSchema.add(schema.label().name(), DataTypes.StringType);
        Dataset<Row> trainRows = FeaturePipeline.labelledRows(spark.read().option("header", "true").schema(csvSchema).csv(train.toString()), schema).cache();
        Dataset<Row> testRows = FeaturePipeline.labelledRows(spark.read().option("header", "true").schema(csvSchema).csv(test.toString()), schema).cache();
        long trainCount = trainRows.count();
        long testCount = testRows.count();
        TreeParams params = new TreeParams(depth, 1, "gini", 32, false);
        FeaturePipeline.fit(trainRows.limit(20_000), schema, params); // warm-up: JIT and Spark code generation
        long fitStart = System.nanoTime();
        PipelineModel model = FeaturePipeline.fit(trainRows, schema, params);
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        Metrics metrics = Evaluation.evaluate(model, testRows, schema);
        System.out.printf(Locale.ROOT, "spark   DecisionTreeClassifier depth %d: fit %.2f s on %d rows, holdout accuracy %.4f on %d rows (%s)%n",
                depth, fitSeconds, trainCount, metrics.accuracy(), testCount, spark.sparkContext().master());
        spark.stop();

        if (sklearn != null) {
            Process p = new ProcessBuilder(python, sklearn.toString(), "--train", train.toString(), "--test", test.toString(),
                    "--depth", String.valueOf(depth)).inheritIO().start();
            return p.waitFor();
        }
        return 0;
    }

    private void writeSplit(EventSchema schema, Path train, Path test) throws IOException {
        writeSplit(schema, new AgrawalGenerator(seed, DriftPlan.none(function), perturbation, "bench", Clock.systemUTC()),
                rows, train, test);
    }

    /**
     * Writes {@code rows} generated events as CSV (features and label, header row): the first 80% to {@code train},
     * the rest to {@code test}. The same files feed the Spark fit and scikit-learn, so both see the same split.
     */
    public static void writeSplit(EventSchema schema, AgrawalGenerator generator, int rows, Path train, Path test)
            throws IOException {
        List<String> columns = new ArrayList<>(schema.featureNames());
        columns.add(schema.label().name());
        String header = String.join(",", columns);
        int trainRows = rows * 8 / 10;
        try (BufferedWriter trainOut = Files.newBufferedWriter(train, StandardCharsets.UTF_8);
             BufferedWriter testOut = Files.newBufferedWriter(test, StandardCharsets.UTF_8)) {
            trainOut.write(header);
            trainOut.newLine();
            testOut.write(header);
            testOut.newLine();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < rows; i++) {
                JsonNode node = Json.mapper().readTree(generator.next().json());
                line.setLength(0);
                for (String c : columns) {
                    if (line.length() > 0) {
                        line.append(',');
                    }
                    line.append(node.get(c).asText());
                }
                BufferedWriter target = i < trainRows ? trainOut : testOut;
                target.write(line.toString());
                target.newLine();
            }
        }
    }
}
