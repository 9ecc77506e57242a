package dev.streamtree.retrain.source;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.maintenance.CompactionOptions;
import dev.streamtree.lake.maintenance.LakeCompaction;
import dev.streamtree.lake.table.LabelsTable;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeBatches;
import dev.streamtree.lake.table.LakeJournal;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.retrain.train.TrainingData;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        Instant t1 = Instant.parse("2024-05-02T08:00:00Z");
        Instant t2 = t1.plusSeconds(60);
        appendEvents(events, 0, 9);
        appendEvents(events, 1, 10);
        // The newer label of e-10-27 arrives first, the older one later: labelled_at decides, not arrival.
        appendLabels(labels, 0, List.of(
                label("e-10-25", "B", t1), label("e-10-26", "A", t1), label("e-10-27", "B", t2),
                label("e-10-3", "B", t1), label("e-9-25", "B", t1), label("never-seen", "A", t1)));
        appendLabels(labels, 1, List.of(label("e-10-26", "B", t2), label("e-10-27", "A", t1)));

        LabelledEvents.TableRows read = new LakeTableEvents(spark, tables, events)
                .read(SCHEMA, Optional.of(Instant.parse("2024-05-01T10:00:00Z")));
        Dataset<Row> rows = read.rows();
        Map<String, String> labelById = labelById(rows.collectAsList());

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

    @Test
    void lateLabelsAppendedBetweenDriverReadsAreMergedAsAFreshReadFindsThem() {
        TableIdentifier events = LakeTables.identifier("retrain_appended", "events");
        TableIdentifier labels = LabelsTable.identifier("retrain_appended");
        Instant t1 = Instant.parse("2024-05-02T08:00:00Z");
        appendEvents(events, 0, 9);
        appendEvents(events, 1, 10);
        appendLabels(labels, 0, List.of(label("e-10-25", "B", t1), label("e-10-26", "A", t1)));
        LakeTableEvents source = new LakeTableEvents(spark, tables, events);

        Map<String, String> first = labelById(source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows());
        // Two commits between reads (in two labelled hours): a later label of e-10-26, an older one of e-10-25, and a
        // label of e-11-5, whose event (inline label A) is not in the lake yet.
        appendLabels(labels, 1, List.of(label("e-10-26", "B", t1.plusSeconds(3600)),
                label("e-10-25", "A", t1.minusSeconds(60)), label("e-11-5", "B", t1)));
        appendLabels(labels, 2, List.of(label("e-10-27", "B", t1), label("e-9-28", "A", t1.plusSeconds(3600))));
        List<Row> second = source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows();
        List<Row> secondFresh = freshDriverRead(events);
        appendEvents(events, 2, 11);
        List<Row> third = source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows();

        assertThat(first).as("before the appends").containsEntry("e-10-25", "B").containsEntry("e-10-26", "A")
                .containsEntry("e-10-27", null);
        assertThat(values(second)).as("after two label commits, as a fresh instance reads them")
                .hasSize(60).containsExactlyInAnyOrderElementsOf(values(secondFresh));
        assertThat(values(third)).as("after the event of an earlier label, as a fresh instance reads it")
                .hasSize(90).containsExactlyInAnyOrderElementsOf(values(freshDriverRead(events)));
        assertThat(values(third)).as("as Spark reads it").containsExactlyInAnyOrderElementsOf(values(
                new LakeTableEvents(spark, tables, events).read(SCHEMA, Optional.empty()).rows().select(columns())
                        .collectAsList()));
        Map<String, String> labelById = labelById(third);
        assertThat(labelById.get("e-10-26")).as("a later label in a later commit wins").isEqualTo("B");
        assertThat(labelById.get("e-10-25")).as("an older label in a later commit does not").isEqualTo("B");
        assertThat(labelById.get("e-10-27")).as("filled by a label of a later commit").isEqualTo("B");
        assertThat(labelById.get("e-9-28")).as("filled by a label of a later commit").isEqualTo("A");
        assertThat(labelById.get("e-11-5")).as("labelled before its event arrived: overrides its inline A")
                .isEqualTo("B");
        assertThat(labelById.get("e-11-6")).as("inline label kept").isEqualTo("A");
    }

    @Test
    void afterACompactionADeletionOrARollbackOfLabelsTheDriverReadEqualsAFreshOne() {
        TableIdentifier events = LakeTables.identifier("retrain_rewritten", "events");
        TableIdentifier labels = LabelsTable.identifier("retrain_rewritten");
        Instant t1 = Instant.parse("2024-05-02T08:00:00Z");
        Instant t2 = Instant.parse("2024-05-02T09:00:00Z");
        appendEvents(events, 0, 10);
        appendLabels(labels, 0, List.of(label("e-10-25", "B", t1), label("e-10-26", "A", t1)));
        appendLabels(labels, 1, List.of(label("e-10-26", "B", t2), label("e-10-27", "B", t1)));
        LakeTableEvents source = new LakeTableEvents(spark, tables, events);
        Table labelsTable = tables.load(tables.catalog(spark.sparkContext().hadoopConfiguration()), labels);
        List<Row> before = source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows();
        appendLabels(labels, 2, List.of(label("e-10-28", "A", t1), label("e-10-29", "A", t2)));
        long lastAppend = current(labelsTable).snapshotId();

        compactLabels(labelsTable);
        List<Row> compacted = source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows();
        assertThat(current(labelsTable).operation()).as("the compaction's snapshot").isEqualTo(DataOperations.REPLACE);
        assertThat(values(compacted)).as("after the compaction").containsExactlyInAnyOrderElementsOf(
                values(freshDriverRead(events)));
        assertThat(labelById(compacted)).as("compaction changes no label").containsEntry("e-10-26", "B")
                .containsEntry("e-10-28", "A").containsEntry("e-10-29", "A");
        assertThat(labelById(before)).as("before the last append").containsEntry("e-10-28", null);

        labelsTable.newDelete().deleteFromRowFilter(Expressions.equal(LabelsTable.LABELLED_HOUR, 9)).commit();
        List<Row> deleted = source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows();
        assertThat(values(deleted)).as("after hour 9's labels were deleted").containsExactlyInAnyOrderElementsOf(
                values(freshDriverRead(events)));
        assertThat(labelById(deleted)).as("hour 8's labels alone").containsEntry("e-10-26", "A")
                .containsEntry("e-10-28", "A").containsEntry("e-10-29", null);

        labelsTable.manageSnapshots().rollbackTo(lastAppend).commit();
        List<Row> rolledBack = source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows();
        assertThat(values(rolledBack)).as("after a rollback to the last append").containsExactlyInAnyOrderElementsOf(
                values(freshDriverRead(events)));
        assertThat(labelById(rolledBack)).as("hour 9's labels back").containsEntry("e-10-26", "B")
                .containsEntry("e-10-29", "A");
    }

    @Test
    void theDriverReadDeclinesOnceAppendedLabelsExceedItsLimit() {
        TableIdentifier events = LakeTables.identifier("retrain_outgrown", "events");
        TableIdentifier labels = LabelsTable.identifier("retrain_outgrown");
        Instant t1 = Instant.parse("2024-05-02T08:00:00Z");
        appendEvents(events, 0, 11);
        appendLabels(labels, 0, java.util.stream.IntStream.range(0, 25)
                .mapToObj(minute -> label("e-11-" + minute, "B", t1)).toList());
        LakeTableEvents source = new LakeTableEvents(spark, tables, events);

        Optional<LabelledEvents.DriverRead> within = source.readOnDriver(SCHEMA, null, 30);
        appendLabels(labels, 1, java.util.stream.IntStream.range(20, 30)
                .mapToObj(minute -> label("e-11-" + minute, "A", t1.plusSeconds(60))).toList());
        Optional<LabelledEvents.DriverRead> appended = source.readOnDriver(SCHEMA, null, 30);
        Optional<LabelledEvents.DriverRead> raised = source.readOnDriver(SCHEMA, null, 35);
        Optional<LabelledEvents.DriverRead> lowered = source.readOnDriver(SCHEMA, null, 34);

        assertThat(within).as("30 events, 25 labels, 30 allowed").isPresent();
        assertThat(labelById(within.orElseThrow().rows())).containsEntry("e-11-24", "B");
        assertThat(appended).as("35 labels after the append, 30 allowed").isEmpty();
        assertThat(raised).as("35 labels, 35 allowed").isPresent();
        assertThat(values(raised.orElseThrow().rows())).containsExactlyInAnyOrderElementsOf(values(freshDriverRead(events)));
        assertThat(labelById(raised.orElseThrow().rows())).containsEntry("e-11-24", "A").containsEntry("e-11-29", "A")
                .containsEntry("e-11-19", "B");
        assertThat(lowered).as("the same 35 labels, 34 allowed").isEmpty();
    }

    @Test
    void theLatestLabelsReadOnlyTheFilesAppendedSinceTheirSnapshotAndEverythingAfterAnyOtherChange() {
        TableIdentifier labels = LabelsTable.identifier("retrain_latest");
        Instant t1 = Instant.parse("2024-05-02T08:00:00Z");
        Instant t2 = Instant.parse("2024-05-02T09:00:00Z");
        appendLabels(labels, 0, List.of(label("a", "A", t1), label("b", "A", t1)));
        appendLabels(labels, 1, List.of(label("a", "B", t2)));
        Table table = tables.load(tables.catalog(spark.sparkContext().hadoopConfiguration()), labels);
        LatestLabels latest = new LatestLabels();

        assertThat(latest.refresh(table, 1_000)).as("the first refresh reads both commits' files")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.REBUILT, 2, 3, 3));
        assertThat(latest.refresh(table, 1_000)).as("nothing new")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.UNCHANGED, 0, 0, 3));
        appendLabels(labels, 2, List.of(label("b", "B", t2), label("c", "A", t1)));
        table.refresh();
        assertThat(latest.refresh(table, 1_000)).as("the append's two files (hours 8 and 9) alone")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.APPENDED, 2, 2, 5));
        assertThat(List.of(latest.label("a"), latest.label("b"), latest.label("c"))).containsExactly("B", "B", "A");
        long appended = current(table).snapshotId();

        compactLabels(table);
        table.refresh();
        assertThat(latest.refresh(table, 1_000)).as("a replace snapshot: read in full, one file an hour")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.REBUILT, 2, 5, 5));
        table.newDelete().deleteFromRowFilter(Expressions.equal(LabelsTable.LABELLED_HOUR, 9)).commit();
        assertThat(latest.refresh(table, 1_000)).as("a delete snapshot: read in full, hour 8 left")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.REBUILT, 1, 3, 3));
        assertThat(List.of(latest.label("a"), latest.label("b"), latest.label("c"))).containsExactly("A", "A", "A");
        table.manageSnapshots().rollbackTo(appended).commit();
        assertThat(latest.refresh(table, 1_000)).as("a rollback: read in full, the three commits' files")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.REBUILT, 4, 5, 5));
        assertThat(List.of(latest.label("a"), latest.label("b"), latest.label("c"))).containsExactly("B", "B", "A");

        assertThat(latest.refresh(table, 4)).as("5 rows, 4 allowed")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.DECLINED, 0, 0, 5));
        assertThat(latest.size()).as("nothing kept after declining").isZero();
        assertThat(latest.refresh(table, 5).mode()).isEqualTo(LatestLabels.Mode.REBUILT);
        appendLabels(labels, 3, List.of(label("d", "A", t1)));
        table.refresh();
        assertThat(latest.refresh(table, 5)).as("6 rows after the append, 5 allowed")
                .isEqualTo(new LatestLabels.Refresh(LatestLabels.Mode.DECLINED, 1, 1, 6));
        assertThat(latest.label("a")).isNull();
    }

    private static Row label(String eventId, String label, Instant at) {
        LakePartition partition = LakePartition.of(at);
        return RowFactory.create(eventId, label, Timestamp.from(at), partition.eventDate(), partition.eventHour());
    }

    /** Writes {@code hour}'s 30 events as one commit; minutes 0-19 carry the inline label A, minutes 20-29 none. */
    private static void appendEvents(TableIdentifier events, long batchId, int hour) {
        Table eventsTable = tables.ensureEventsTable(tables.catalog(spark.sparkContext().hadoopConfiguration()), events,
                SCHEMA);
        try (LakeBatchWriter writer = LakeBatchWriter.start(eventsTable, LakeJournal.directory(tables, events, "e"), "e",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK)) {
            LakeBatches.writeAndCommit(writer, rows(hour).withColumn("label",
                    functions.expr("case when cast(split(id, '-')[2] as int) < 20 then label end")), batchId);
        }
    }

    /** Appends {@code rows} to the labels table as one commit (one file per labelled hour). */
    private static void appendLabels(TableIdentifier labels, long batchId, List<Row> rows) {
        Table labelsTable = LabelsTable.ensure(tables, tables.catalog(spark.sparkContext().hadoopConfiguration()), labels);
        try (LakeBatchWriter writer = LakeBatchWriter.start(labelsTable, LakeJournal.directory(tables, labels, "l"), "l",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK)) {
            LakeBatches.writeAndCommit(writer, labelRows(rows), batchId);
        }
    }

    /** Rewrites the labels table's hours of two or more files into one file each: a replace snapshot. */
    private static void compactLabels(Table labels) {
        labels.refresh();
        new LakeCompaction(spark, Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC))
                .compact(labels, CompactionOptions.defaults());
        labels.refresh();
    }

    private static Snapshot current(Table table) {
        table.refresh();
        return table.currentSnapshot();
    }

    /** The driver read of a new instance, which has read no labels before. */
    private static List<Row> freshDriverRead(TableIdentifier events) {
        return new LakeTableEvents(spark, tables, events).readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows();
    }

    /** Each row's label by its event id (the schema's first column). */
    private static Map<String, String> labelById(List<Row> rows) {
        Map<String, String> labelById = new HashMap<>();
        rows.forEach(r -> labelById.put(r.getString(0), r.getString(r.fieldIndex("label"))));
        return labelById;
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
