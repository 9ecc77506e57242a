package dev.streamtree.retrain.source;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LabelsTable;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeBatches;
import dev.streamtree.lake.table.LakeJournal;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.retrain.train.TrainingData;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The retrain's read of the Iceberg events table, on a real local Spark and a real table written by the lake writer. */
class LakeTableEventsTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final TableIdentifier EVENTS = LakeTables.identifier("retrain_read", "events");

    @TempDir
    static Path lake;
    static SparkSession spark;
    static LakeTables tables;
    static Table table;

    @BeforeAll
    static void writeThreeHours() {
        spark = TestSpark.local("LakeTableEventsTest");
        tables = new LakeTables(CatalogKind.LOCAL, lake.toString(), null).qualified(spark.sparkContext().hadoopConfiguration());
        table = tables.ensureEventsTable(tables.catalog(spark.sparkContext().hadoopConfiguration()), EVENTS, SCHEMA);
        try (LakeBatchWriter writer = LakeBatchWriter.start(table, LakeJournal.directory(tables, EVENTS, "t"), "t",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK)) {
            // 30 events in each of 2024-05-01 hours 9, 10 and 11, one a minute from :00; one batch per hour.
            for (int hour = 9; hour <= 11; hour++) {
                LakeBatches.writeAndCommit(writer, rows(hour), hour);
            }
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void aWindowStartPrunesTheHoursBeforeItAndPinsTheSnapshot() {
        LakeTableEvents source = new LakeTableEvents(spark, tables, EVENTS);
        Instant since = Instant.parse("2024-05-01T10:20:00Z");

        LabelledEvents.TableRows read = source.read(SCHEMA, Optional.of(since));
        List<Row> rows = read.rows().collectAsList();

        table.refresh();
        assertThat(read.snapshotId()).hasValue(table.currentSnapshot().snapshotId());
        assertThat(rows).as("10:20-10:29 and hour 11").hasSize(10 + 30);
        BatchScanExec scan = scan(read.rows().queryExecution().executedPlan());
        assertThat(scan.toString()).as("the scan's pushed filters")
                .contains("event_date").contains("event_hour").contains(SCHEMA.eventTimeField());
        assertThat(scan.metrics().get("resultDataFiles").get().value())
                .as("data files planned: hours 10 and 11 (2 tasks x 2 hours), none of hour 9").isEqualTo(4);
    }

    @Test
    void theDriverReadFindsTheRowsOfTheSparkReadAndDeclinesAboveItsLimit() {
        LakeTableEvents source = new LakeTableEvents(spark, tables, EVENTS);
        Instant since = Instant.parse("2024-05-01T10:20:00Z");

        LabelledEvents.DriverRead read = source.readOnDriver(SCHEMA, since, 1_000).orElseThrow();

        table.refresh();
        assertThat(read.snapshotId()).hasValue(table.currentSnapshot().snapshotId());
        assertThat(values(read.rows())).containsExactlyInAnyOrderElementsOf(
                values(source.read(SCHEMA, Optional.of(since)).rows().select(columns()).collectAsList()));
        assertThat(read.rows().get(0).schema().fieldNames()).containsExactlyElementsOf(SCHEMA.columns());
        assertThat(values(source.readOnDriver(SCHEMA, null, 90).orElseThrow().rows())).as("every row, at the limit")
                .containsExactlyInAnyOrderElementsOf(values(source.read(SCHEMA, Optional.empty()).rows()
                        .select(columns()).collectAsList()));
        assertThat(source.readOnDriver(SCHEMA, null, 89)).as("90 rows planned, 89 allowed").isEmpty();
        assertThat(source.readOnDriver(SCHEMA, since, 39)).as("at least the 40 rows returned are planned").isEmpty();
    }

    @Test
    void windowsOnTheDriverHoldTheRowsOfSparksWindows() {
        LakeTableEvents source = new LakeTableEvents(spark, tables, EVENTS);
        Instant now = Instant.parse("2024-05-01T11:10:30Z");
        for (TrainingWindow window : List.of(TrainingWindow.lastRows(25), TrainingWindow.lastRows(1_000),
                TrainingWindow.lastRows(25).startingAt(Instant.parse("2024-05-01T11:20:00Z")),
                TrainingWindow.last(Duration.ofMinutes(45)), TrainingWindow.last(Duration.ofHours(3)))) {
            Instant lower = window.lowerBound(now);
            List<Row> bySpark = TrainingData.window(TrainingData.labelled(source.read(SCHEMA, Optional.ofNullable(lower))
                    .rows(), SCHEMA), window, now, SCHEMA).collectAsList();
            List<Row> driver = TrainingData.windowOnDriver(TrainingData.labelledOnDriver(
                    source.readOnDriver(SCHEMA, lower, 1_000).orElseThrow().rows(), SCHEMA), window, now, SCHEMA);

            assertThat(values(driver)).as(window.toString()).isNotEmpty().containsExactlyInAnyOrderElementsOf(values(bySpark));
            assertThat(driver.get(0).schema().fieldNames()).as(window.toString())
                    .containsExactly(bySpark.get(0).schema().fieldNames());
        }
    }

    @Test
    void withoutAWindowStartEveryRowIsRead() {
        LabelledEvents.TableRows read = new LakeTableEvents(spark, tables, EVENTS).read(SCHEMA, Optional.empty());

        assertThat(read.rows().count()).isEqualTo(90);
        assertThat(read.rows().columns()).containsExactlyElementsOf(LakeTable.columnNames(SCHEMA));
    }

    @Test
    void eachEventIsReadWithItsLatestLateLabelWhichFillsOrOverridesTheInlineOne() {
        TableIdentifier events = LakeTables.identifier("retrain_labels", "events");
        TableIdentifier labels = LabelsTable.identifier("retrain_labels");
        var catalog = tables.catalog(spark.sparkContext().hadoopConfiguration());
        Table eventsTable = tables.ensureEventsTable(catalog, events, SCHEMA);
        Table labelsTable = LabelsTable.ensure(tables, catalog, labels);
        Instant t1 = Instant.parse("2024-05-02T08:00:00Z");
        Instant t2 = t1.plusSeconds(60);
        try (LakeBatchWriter writer = LakeBatchWriter.start(eventsTable, LakeJournal.directory(tables, events, "e"), "e",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK)) {
            // Hours 9 and 10; in each, minutes 0-19 carry the inline label A, minutes 20-29 none.
            LakeBatches.writeAndCommit(writer, rows(9).withColumn("label",
                    functions.expr("case when cast(split(id, '-')[2] as int) < 20 then label end")), 0);
            LakeBatches.writeAndCommit(writer, rows(10).withColumn("label",
                    functions.expr("case when cast(split(id, '-')[2] as int) < 20 then label end")), 1);
        }
        try (LakeBatchWriter writer = LakeBatchWriter.start(labelsTable, LakeJournal.directory(tables, labels, "l"), "l",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK)) {
            // The newer label of e-10-27 arrives first, the older one later: labelled_at decides, not arrival.
            LakeBatches.writeAndCommit(writer, labelRows(List.of(
                    label("e-10-25", "B", t1), label("e-10-26", "A", t1), label("e-10-27", "B", t2),
                    label("e-10-3", "B", t1), label("e-9-25", "B", t1), label("never-seen", "A", t1))), 0);
            LakeBatches.writeAndCommit(writer, labelRows(List.of(
                    label("e-10-26", "B", t2), label("e-10-27", "A", t1))), 1);
        }

        LabelledEvents.TableRows read = new LakeTableEvents(spark, tables, events)
                .read(SCHEMA, Optional.of(Instant.parse("2024-05-01T10:00:00Z")));
        Dataset<Row> rows = read.rows();
        java.util.Map<String, String> labelById = new java.util.HashMap<>();
        rows.collectAsList().forEach(r -> labelById.put(r.getString(0), r.getString(r.fieldIndex("label"))));

        assertThat(rows.columns()).containsExactlyElementsOf(LakeTable.columnNames(SCHEMA));
        assertThat(labelById).as("hour 10 only, no row for a label without its event").hasSize(30);
        assertThat(labelById.get("e-10-25")).as("no inline label: filled by the late one").isEqualTo("B");
        assertThat(labelById.get("e-10-26")).as("latest labelled_at wins").isEqualTo("B");
        assertThat(labelById.get("e-10-27")).as("latest labelled_at wins, though it arrived first").isEqualTo("B");
        assertThat(labelById.get("e-10-3")).as("the late label overrides the inline one").isEqualTo("B");
        assertThat(labelById.get("e-10-4")).as("inline label kept").isEqualTo("A");
        assertThat(labelById.get("e-10-28")).as("never labelled").isNull();
        List<Row> training = dev.streamtree.retrain.train.TrainingData.labelled(rows, SCHEMA).collectAsList();
        assertThat(training).as("labelled rows: 20 inline + 3 late-only").hasSize(23);
        List<Row> onDriver = new LakeTableEvents(spark, tables, events)
                .readOnDriver(SCHEMA, Instant.parse("2024-05-01T10:00:00Z"), 1_000).orElseThrow().rows();
        assertThat(values(onDriver)).as("the driver read, late labels and all")
                .containsExactlyInAnyOrderElementsOf(values(rows.select(columns()).collectAsList()));
        assertThat(values(TrainingData.labelledOnDriver(onDriver, SCHEMA))).as("labelled on the driver")
                .containsExactlyInAnyOrderElementsOf(values(training));
        assertThat(new LakeTableEvents(spark, tables, events).readOnDriver(SCHEMA, null, 7))
                .as("the labels table holds 8 rows, 7 allowed: Spark reads it").isEmpty();
        assertThat(training.stream().filter(r -> r.getString(0).equals("e-10-25")).map(r -> r.get(r.fieldIndex("label"))))
                .as("trained with its late label").containsExactly("B");
        SparkPlan plan = rows.queryExecution().executedPlan();
        if (plan instanceof AdaptiveSparkPlanExec adaptive) {
            plan = adaptive.finalPhysicalPlan();
        }
        BatchScanExec eventsScan = CollectionConverters.asJava(plan.collectLeaves())
                .stream().filter(BatchScanExec.class::isInstance).map(BatchScanExec.class::cast)
                .filter(scan -> scan.output().toString().contains("event_date")).findFirst()
                .orElseThrow(() -> new AssertionError("no events scan in " + rows.queryExecution().executedPlan()));
        assertThat(eventsScan.toString()).as("the events scan's pushed filters").contains("event_date").contains("event_hour");
        assertThat(eventsScan.metrics().get("resultDataFiles").get().value())
                .as("data files planned: hour 10 (2 tasks), none of hour 9").isEqualTo(2);
    }

    private static Row label(String eventId, String label, Instant at) {
        LakePartition partition = LakePartition.of(at);
        return RowFactory.create(eventId, label, Timestamp.from(at), partition.eventDate(), partition.eventHour());
    }

    private static Dataset<Row> labelRows(List<Row> rows) {
        return spark.createDataFrame(rows, LabelsTable.SPARK_SCHEMA).repartition(1);
    }

    private static org.apache.spark.sql.Column[] columns() {
        return SCHEMA.columns().stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new);
    }

    /** Each row's values, comparable across Spark's rows and the driver's. */
    private static List<List<Object>> values(List<Row> rows) {
        return rows.stream().map(r -> java.util.stream.IntStream.range(0, r.length()).mapToObj(r::get).toList()).toList();
    }

    private static BatchScanExec scan(SparkPlan plan) {
        return CollectionConverters.asJava(plan.collectLeaves()).stream()
                .filter(BatchScanExec.class::isInstance).map(BatchScanExec.class::cast).findFirst().orElseThrow(
                        () -> new AssertionError("no batch scan in " + plan));
    }

    private static Dataset<Row> rows(int hour) {
        List<Row> rows = new ArrayList<>();
        for (int minute = 0; minute < 30; minute++) {
            Instant time = Instant.parse("2024-05-01T00:00:00Z").plusSeconds(3600L * hour + 60L * minute);
            LakePartition partition = LakePartition.of(time);
            rows.add(RowFactory.create("e-" + hour + "-" + minute, Timestamp.from(time), 50000.0, 0.0, 40.0, "1", "2",
                    "3", 100000.0, 10.0, 2000.0, "A", partition.eventDate(), partition.eventHour()));
        }
        return spark.createDataFrame(rows, LakeTable.sparkSchema(SCHEMA)).repartition(2);
    }
}
