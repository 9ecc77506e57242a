package dev.streamtree.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.retrain.RetrainConfig;
import dev.streamtree.retrain.train.Evaluation;
import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.retrain.train.ModelSelection;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.retrain.train.SelectionPolicy;
import dev.streamtree.retrain.train.TrainingData;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/**
 * The retrain's model selection against scikit-learn on small outside data sets, as a new user would meet them:
 * reads the cases {@code bench/sklearn/small_data.py} wrote (CSV with a holdout column, a schema file, sklearn's
 * holdout accuracy with GridSearchCV over max_depth on the same split), runs {@link ModelSelection} on the
 * training rows, fits the chosen parameters on them as the gated candidate is fitted, and scores the holdout.
 * Each case runs three selections: {@code before} (the former rule: a validation slice, grid {5,10} x {1,20} x
 * {gini,entropy}), {@code after} (the defaults) and, on each data set's first seed, {@code after_entropy} (the
 * defaults plus entropy). Writes
 * {@code small-data-<date>.json}. Not part of the test suite.
 */
@Command(name = "small-data-benchmark", mixinStandardHelpOptions = true,
        description = "streamtree's model selection vs scikit-learn's GridSearchCV tree on small data sets.")
public final class SmallDataBenchmark implements Callable<Integer> {

    @Option(names = "--cases", required = true, description = "cases.json written by bench/sklearn/small_data.py")
    File cases;

    @Option(names = "--out", defaultValue = "bench/results", description = "Directory for the JSON (default: ${DEFAULT-VALUE}).")
    File out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SmallDataBenchmark()).execute(args));
    }

    private static final Map<String, SelectionPolicy> VARIANTS = new LinkedHashMap<>();

    static {
        RetrainConfig defaults = RetrainConfig.defaults("unused", "unused");
        VARIANTS.put("before", new SelectionPolicy(new SearchGrid(List.of(5, 10), List.of(1, 20), List.of("gini", "entropy")),
                Metrics.GateMetric.ACCURACY, 0, 5, 0.2));
        VARIANTS.put("after", defaults.selection());
        VARIANTS.put("after_entropy", new SelectionPolicy(new SearchGrid(SearchGrid.DEFAULT_MAX_DEPTHS,
                SearchGrid.DEFAULT_MIN_INSTANCES, List.of("gini", "entropy")), Metrics.GateMetric.ACCURACY,
                SelectionPolicy.DEFAULT_CROSS_VALIDATION_BELOW_ROWS, SelectionPolicy.DEFAULT_FOLDS, 0.2));
    }

    @Override
    public Integer call() throws Exception {
        SparkSession.Builder builder = SparkSession.builder().appName("streamtree-small-data-benchmark")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2");
        if (!new SparkConf().contains("spark.master")) {
            builder.master("local[2]");
        }
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNode list = json.readTree(cases);
        ObjectNode result = json.createObjectNode();
        result.put("date", LocalDate.now(ZoneOffset.UTC).toString());
        result.put("master", spark.sparkContext().master());
        ArrayNode rows = result.putArray("cases");
        Map<String, Map<String, List<Double>>> gaps = new LinkedHashMap<>();
        boolean warm = false;
        for (JsonNode c : list) {
            EventSchema schema = SchemaCodec.load(c.get("schema").asText());
            StructType csv = new StructType().add("id", DataTypes.StringType).add("event_time", DataTypes.TimestampType);
            for (Feature f : schema.features()) {
                csv = csv.add(f.name(), DataTypes.DoubleType);
            }
            csv = csv.add("label", DataTypes.StringType).add("holdout", DataTypes.BooleanType);
            Dataset<Row> all = spark.read().option("header", "true").schema(csv).csv(c.get("csv").asText()).cache();
            Dataset<Row> training = TrainingData.labelled(all.filter(col("holdout").equalTo(false)), schema).cache();
            Dataset<Row> holdout = TrainingData.labelled(all.filter(col("holdout").equalTo(true)), schema).cache();
            long trainingRows = training.count();
            holdout.count();
            Map<String, Long> balance = FeaturePipeline.classCounts(training, schema);
            long smallest = balance.values().stream().filter(n -> n > 0).min(Long::compare).orElseThrow();
            long largest = balance.values().stream().max(Long::compare).orElseThrow();
            boolean weighted = (double) smallest / largest < RetrainConfig.DEFAULT_IMBALANCE_RATIO;
            if (!warm) { // JIT and code generation
                ModelSelection.select(training, trainingRows, schema, VARIANTS.get("after"), weighted);
                warm = true;
            }
            ObjectNode row = rows.addObject();
            String dataset = c.get("dataset").asText();
            double sklearn = c.get("sklearn_accuracy").asDouble();
            row.put("dataset", dataset).put("seed", c.get("seed").asInt()).put("train_rows", trainingRows)
                    .put("holdout_rows", c.get("holdout_rows").asInt()).put("sklearn_accuracy", sklearn)
                    .put("sklearn_max_depth", c.get("sklearn_max_depth").isNull() ? "None" : c.get("sklearn_max_depth").asText());
            for (Map.Entry<String, SelectionPolicy> v : VARIANTS.entrySet()) {
                if (v.getKey().equals("after_entropy") && c.get("seed").asInt() != 1) {
                    continue; // twice the fits of "after"; the first seed of each data set shows whether it pays
                }
                long started = System.nanoTime();
                ModelSelection.Choice choice = ModelSelection.select(training, trainingRows, schema, v.getValue(), weighted);
                double selectSeconds = (System.nanoTime() - started) / 1e9;
                long fitStarted = System.nanoTime();
                PipelineModel model = FeaturePipeline.fit(training, schema, choice.params());
                double fitSeconds = (System.nanoTime() - fitStarted) / 1e9;
                double accuracy = Evaluation.evaluate(model, holdout, schema).accuracy();
                ObjectNode r = row.putObject(v.getKey());
                r.put("accuracy", accuracy).put("gap_to_sklearn", accuracy - sklearn).put("chosen", choice.params().toString())
                        .put("method", choice.method()).put("selection_fits", choice.fits())
                        .put("selection_seconds", selectSeconds).put("final_fit_seconds", fitSeconds);
                gaps.computeIfAbsent(dataset, d -> new LinkedHashMap<>()).computeIfAbsent(v.getKey(), k -> new ArrayList<>())
                        .add(accuracy - sklearn);
                System.out.printf(Locale.ROOT, "%-20s seed %d %-13s accuracy %.4f (sklearn %.4f, gap %+.4f) %s; %d fits, %.2f s%n",
                        dataset, c.get("seed").asInt(), v.getKey(), accuracy, sklearn, accuracy - sklearn, choice.params(),
                        choice.fits(), selectSeconds);
            }
            all.unpersist();
            training.unpersist();
            holdout.unpersist();
        }
        ObjectNode summary = result.putObject("mean_gap_to_sklearn");
        gaps.forEach((dataset, byVariant) -> {
            ObjectNode d = summary.putObject(dataset);
            byVariant.forEach((variant, values) -> d.put(variant, values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
        });
        System.out.println(json.writeValueAsString(summary));
        out.mkdirs();
        File file = new File(out, "small-data-" + LocalDate.now(ZoneOffset.UTC) + ".json");
        json.writeValue(file, result);
        System.out.println("wrote " + file);
        spark.stop();
        return 0;
    }
}
