package dev.streamtree.bench.spike;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Issue 17's table-layer spike: the cost of one micro-batch's lake commit in the current Hive-style layout and in
 * Iceberg, how an Iceberg commit grows with the snapshots already in the table, Iceberg commits batched every k
 * micro-batches, and a one-day read and a one-day compaction on a lake of many days. One run, variants alternated,
 * medians reported; docs/lake.md holds the method and the decision.
 *
 * <p>Run with bench/run.sh's classpath plus the Iceberg runtime jar (docs/lake.md):
 * {@code java ... dev.streamtree.bench.spike.LakeSpike [--quick] [--out FILE] [--work DIR]}.
 */
public final class LakeSpike {

    private static final String SPARK_CATALOG = "spike";
    private static final String WRITER = "spike";
    private static final int TASKS = 2;

    private final SparkSession spark;
    private final EventSchema schema;
    private final Path work;
    private final boolean quick;
    private final HadoopCatalog icebergCatalog;
    private final ObjectNode results = Json.mapper().createObjectNode();

    private LakeSpike(SparkSession spark, EventSchema schema, Path work, boolean quick) {
        this.spark = spark;
        this.schema = schema;
        this.work = work;
        this.quick = quick;
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        this.icebergCatalog = new HadoopCatalog(conf, work.resolve("warehouse").toUri().toString());
    }

    public static void main(String[] args) throws IOException {
        boolean quick = false;
        Path out = Path.of("bench/results/lake-spike-" + LocalDate.now(ZoneOffset.UTC) + ".json");
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "' (known: --quick, --out FILE, --work DIR)");
            }
        }
        work = work == null ? Files.createTempDirectory("lake-spike-") : Files.createDirectories(work);
        SparkSession spark = SparkSession.builder().appName("streamtree-lake-spike").master("local[" + TASKS + "]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", String.valueOf(TASKS))
                .config("spark.sql.catalog." + SPARK_CATALOG, "org.apache.iceberg.spark.SparkCatalog")
                .config("spark.sql.catalog." + SPARK_CATALOG + ".type", "hadoop")
                .config("spark.sql.catalog." + SPARK_CATALOG + ".warehouse", work.resolve("warehouse").toUri().toString())
                .config("spark.sql.catalog." + SPARK_CATALOG + ".cache-enabled", "false")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            LakeSpike spike = new LakeSpike(spark, SchemaCodec.load(SchemaCodec.BUILTIN_PREFIX + "agrawal"), work, quick);
            spike.run(out);
            System.out.println("lake spike: results in " + out);
        } finally {
            spark.stop();
        }
    }

    /** Writes the results after each part, so a part that fails leaves the earlier ones. */
    private void save(Path out) {
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + out, e);
        }
    }

    private void run(Path out) {
        long started = System.nanoTime();
        results.put("started_at", Instant.now().toString());
        results.put("machine", "cores=" + Runtime.getRuntime().availableProcessors() + ", spark local[" + TASKS + "], "
                + "max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, java " + System.getProperty("java.version"));
        results.put("spark", spark.version());
        results.put("iceberg", org.apache.iceberg.IcebergBuild.version());
        results.put("quick", quick);
        results.put("load_average_start", loadAverage());
        results.put("note", "absolute figures are noisy on a shared 2-core machine; compare ratios within this run");
        perBatch();
        save(out);
        growth();
        save(out);
        manyDays();
        results.put("load_average_end", loadAverage());
        results.put("seconds", (System.nanoTime() - started) / 1e9);
        save(out);
    }

    /** (a) Hive-style vs (b) Iceberg, one commit per batch, vs (c) Iceberg, one commit per k batches. */
    private void perBatch() {
        int[] sizes = quick ? new int[]{1_000, 10_000} : new int[]{1_000, 10_000, 80_000};
        int[] reps = quick ? new int[]{3, 3} : new int[]{5, 5, 3};
        int k = 5;
        ArrayNode out = results.putArray("per_batch");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        for (int s = 0; s < sizes.length; s++) {
            int n = sizes[s];
            Dataset<Row> rows = new SpikeRows(spark, schema, n).cached(n, hour.plusSeconds(1800), 3600, TASKS);
            HiveLayoutSpike hive = new HiveLayoutSpike(spark, schema, work.resolve("hive-" + n).toString(), "spike" + n, WRITER);
            IcebergSpike iceberg = new IcebergSpike(spark, schema, icebergCatalog, SPARK_CATALOG, "batch_" + n, WRITER);
            IcebergSpike counted = new IcebergSpike(spark, schema, icebergCatalog, SPARK_CATALOG, "counted_" + n, WRITER,
                    IcebergSpike.FileStats.COUNTS_ONLY);
            IcebergSpike batched = new IcebergSpike(spark, schema, icebergCatalog, SPARK_CATALOG, "batched_" + n, WRITER);
            long batch = 0;
            long kBatch = 0;
            hive.write(rows, batch);
            iceberg.write(rows, batch);
            counted.write(rows, batch);
            batched.commitStaged(List.of(batched.stage(rows, kBatch++)));
            batch++;
            List<BatchTiming> a = new ArrayList<>();
            List<BatchTiming> b = new ArrayList<>();
            List<BatchTiming> b0 = new ArrayList<>();
            List<BatchTiming> c = new ArrayList<>();
            List<Double> loads = new ArrayList<>();
            for (int r = 0; r < reps[s]; r++) {
                loads.add(loadAverage());
                a.add(hive.write(rows, batch));
                b.add(iceberg.write(rows, batch));
                b0.add(counted.write(rows, batch));
                batch++;
                List<IcebergSpike.PendingBatch> pending = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    pending.add(batched.stage(rows, kBatch++));
                }
                long commit = batched.commitStaged(pending);
                for (IcebergSpike.PendingBatch p : pending) {
                    BatchTiming t = p.timing();
                    c.add(new BatchTiming(t.totalNanos() + commit / k, t.driverNanos() + commit / k, t.tasksNanos(), t.files()));
                }
            }
            ObjectNode row = out.addObject();
            row.put("rows", n);
            row.put("hour_partitions", 2);
            row.put("tasks", TASKS);
            row.put("batches_per_variant", reps[s]);
            row.put("commit_every_k", k);
            row.set("load_average", Json.mapper().valueToTree(loads));
            row.set("hive", timing(a));
            row.set("iceberg", timing(b));
            row.set("iceberg_counts_only", timing(b0));
            row.set("iceberg_k", timing(c));
            row.put("iceberg_over_hive_total", median(b, BatchTiming::totalNanos) / median(a, BatchTiming::totalNanos));
            row.put("iceberg_counts_only_over_hive_total", median(b0, BatchTiming::totalNanos) / median(a, BatchTiming::totalNanos));
            row.put("iceberg_k_over_hive_total", median(c, BatchTiming::totalNanos) / median(a, BatchTiming::totalNanos));
            System.out.println("per batch " + row);
            rows.unpersist();
        }
    }

    /** (b) How one Iceberg commit (replay check included) grows with the snapshots already in the table. */
    private void growth() {
        int commits = quick ? 200 : 1_000;
        Dataset<Row> rows = new SpikeRows(spark, schema, 7).cached(1_000, Instant.parse("2026-01-01T00:30:00Z"), 3600, TASKS);
        IcebergSpike table = new IcebergSpike(spark, schema, icebergCatalog, SPARK_CATALOG, "growth", WRITER);
        List<DataFile> files = table.writeFiles(rows, 0);
        rows.unpersist();
        List<Long> nanos = new ArrayList<>();
        ObjectNode out = results.putObject("iceberg_commit_growth");
        out.put("files_per_commit", files.size());
        out.put("load_average_start", loadAverage());
        ArrayNode metadata = out.putArray("metadata_json_bytes");
        for (int i = 1; i <= commits; i++) {
            nanos.add(table.commitOnly(files, i));
            if (i == 10 || i == 100 || i == 500 || i == 1_000 || i == commits) {
                ObjectNode m = metadata.addObject();
                m.put("snapshots", i);
                m.put("bytes", table.metadataBytes());
            }
        }
        ArrayNode windows = out.putArray("commit_ms_median");
        for (int[] w : new int[][]{{1, 20}, {91, 110}, {491, 510}, {commits - 19, commits}}) {
            if (w[1] > commits) {
                continue;
            }
            ObjectNode m = windows.addObject();
            m.put("snapshots_before_from", w[0] - 1);
            m.put("snapshots_before_to", w[1] - 1);
            m.put("ms", medianMs(nanos.subList(w[0] - 1, w[1])));
        }
        out.put("load_average_end", loadAverage());
        Table t = table.table();
        long t0 = System.nanoTime();
        t.expireSnapshots().expireOlderThan(System.currentTimeMillis()).retainLast(10).commit();
        out.put("expire_to_last_10_ms", (System.nanoTime() - t0) / 1e6);
        List<Long> after = new ArrayList<>();
        for (int i = commits + 1; i <= commits + 20; i++) {
            after.add(table.commitOnly(files, i));
        }
        out.put("commit_ms_median_after_expiry", medianMs(after));
        out.put("metadata_json_bytes_after_expiry", table.metadataBytes());
        System.out.println("growth " + out);
    }

    /** (d) A one-day read from a lake of many days, and a one-day compaction, in each layout. */
    private void manyDays() {
        int days = quick ? 4 : 10;
        int rowsPerDay = quick ? 12_000 : 36_000;
        int filesPerHour = 3;
        LocalDate first = LocalDate.of(2026, 1, 1);
        ObjectNode out = results.putObject("many_days");
        out.put("days", days);
        out.put("rows_per_day", rowsPerDay);
        out.put("files_per_hour_partition", filesPerHour);
        out.put("load_average_start", loadAverage());
        HiveLayoutSpike hive = new HiveLayoutSpike(spark, schema, work.resolve("hive-days").toString(), "days", WRITER);
        IcebergSpike iceberg = new IcebergSpike(spark, schema, icebergCatalog, SPARK_CATALOG, "days", WRITER);
        HiveLayoutSpike hiveOne = new HiveLayoutSpike(spark, schema, work.resolve("hive-one-day").toString(), "oneday", WRITER);
        IcebergSpike icebergOne = new IcebergSpike(spark, schema, icebergCatalog, SPARK_CATALOG, "one_day", WRITER);
        String readDay = first.plusDays(days / 2).toString();
        List<BatchTiming> hiveDays = new ArrayList<>();
        List<BatchTiming> icebergDays = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            LocalDate day = first.plusDays(d);
            Dataset<Row> rows = new SpikeRows(spark, schema, 100 + d)
                    .cached(rowsPerDay, day.atStartOfDay(ZoneOffset.UTC).toInstant(), 86_400, filesPerHour);
            hiveDays.add(hive.write(rows, d));
            icebergDays.add(iceberg.write(rows, d));
            if (day.toString().equals(readDay)) {
                hiveOne.write(rows, 0);
                icebergOne.write(rows, 0);
            }
            rows.unpersist();
        }
        out.set("hive_day_write", timing(hiveDays));
        out.set("iceberg_day_write", timing(icebergDays));
        int reps = quick ? 3 : 5;
        out.set("one_day_read_ms", reads(reps, readDay, List.of(
                new Reader("hive_many_days", hive::table), new Reader("iceberg_many_days", iceberg::read),
                new Reader("hive_one_day_lake", hiveOne::table), new Reader("iceberg_one_day_lake", icebergOne::read))));

        // Compaction of one day: Iceberg's rewrite_data_files action (atomic, one replace snapshot) against the
        // data movement a hand-written compaction of the current layout needs (read the day, write one file per
        // hour into a new location); the latter leaves out the swap, its atomicity and the catalog update.
        ArrayNode compaction = out.putArray("one_day_compaction");
        for (int d = 0; d < 2; d++) {
            String day = first.plusDays(days / 2 + d).toString();
            ObjectNode c = compaction.addObject();
            c.put("day", day);
            c.put("load_average", loadAverage());
            long t0 = System.nanoTime();
            hive.table().where(functions.col(LakeLayout.EVENT_DATE).equalTo(day))
                    .repartition(functions.col(LakeLayout.EVENT_HOUR))
                    .write().partitionBy(LakeLayout.EVENT_DATE, LakeLayout.EVENT_HOUR)
                    .parquet(work.resolve("hive-compacted-" + day).toString());
            c.put("hive_rewrite_day_ms", (System.nanoTime() - t0) / 1e6);
            long t1 = System.nanoTime();
            RewriteDataFiles.Result result = SparkActions.get(spark).rewriteDataFiles(iceberg.table())
                    .filter(Expressions.equal(LakeLayout.EVENT_DATE, day))
                    .option(RewriteDataFiles.TARGET_FILE_SIZE_BYTES, String.valueOf(128L << 20))
                    .option("min-input-files", "2")
                    .execute();
            c.put("iceberg_rewrite_data_files_ms", (System.nanoTime() - t1) / 1e6);
            c.put("iceberg_files_rewritten", result.rewrittenDataFilesCount());
            c.put("iceberg_files_added", result.addedDataFilesCount());
        }
        out.set("one_day_read_after_iceberg_compaction_ms", reads(reps, readDay, List.of(
                new Reader("hive_many_days", hive::table), new Reader("iceberg_many_days_compacted", iceberg::read))));
        out.put("load_average_end", loadAverage());
        System.out.println("many days " + out);
    }

    private record Reader(String name, Supplier<Dataset<Row>> table) {
    }

    private ObjectNode reads(int reps, String day, List<Reader> readers) {
        List<List<Long>> nanos = new ArrayList<>();
        readers.forEach(r -> nanos.add(new ArrayList<>()));
        long[] counts = new long[readers.size()];
        for (int warm = 0; warm < readers.size(); warm++) {
            counts[warm] = readDay(readers.get(warm), day);
        }
        List<Double> loads = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            loads.add(loadAverage());
            for (int i = 0; i < readers.size(); i++) {
                long t0 = System.nanoTime();
                readDay(readers.get(i), day);
                nanos.get(i).add(System.nanoTime() - t0);
            }
        }
        ObjectNode out = Json.mapper().createObjectNode();
        for (int i = 0; i < readers.size(); i++) {
            out.put(readers.get(i).name(), medianMs(nanos.get(i)));
            out.put(readers.get(i).name() + "_rows", counts[i]);
        }
        out.set("load_average", Json.mapper().valueToTree(loads));
        return out;
    }

    /** What a retrain's read of one day costs: the day's rows, with every column's data decoded. */
    private static long readDay(Reader reader, String day) {
        Row row = reader.table().get().where(functions.col(LakeLayout.EVENT_DATE).equalTo(day))
                .agg(functions.count(functions.lit(1)), functions.sum("salary"), functions.max("event_time"),
                        functions.countDistinct("car"))
                .first();
        return row.getLong(0);
    }

    private static ObjectNode timing(List<BatchTiming> timings) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("total_ms", median(timings, BatchTiming::totalNanos) / 1e6);
        node.put("driver_ms", median(timings, BatchTiming::driverNanos) / 1e6);
        node.put("tasks_ms", median(timings, BatchTiming::tasksNanos) / 1e6);
        node.put("files", timings.get(0).files());
        ArrayNode all = node.putArray("total_ms_each");
        timings.forEach(t -> all.add(Math.round(t.totalNanos() / 1e5) / 10.0));
        return node;
    }

    private static double median(List<BatchTiming> timings, java.util.function.ToLongFunction<BatchTiming> field) {
        return medianOf(timings.stream().map(field::applyAsLong).toList());
    }

    private static double medianMs(List<Long> nanos) {
        return Math.round(medianOf(nanos) / 1e4) / 100.0;
    }

    private static double medianOf(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
