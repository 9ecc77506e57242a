package dev.streamtree.retrain.source;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LabelsTable;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.spark.SparkReadOptions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.struct;

/**
 * Reads the lake's Iceberg events table through the session's {@code spark_catalog} ({@link LakeTables}, local or
 * Glue), pinned to the table's current snapshot so the version can record what it was trained on. A window's start
 * becomes a filter on the partition columns (whole hours before it are never planned) and on the event time (which
 * Iceberg also checks against each file's column bounds). When the schema has a label and the database has a labels
 * table ({@link LabelsTable}, written by the streaming job's labels query), each event's latest late label (by
 * {@code labelled_at}, from the labels table's current snapshot) replaces or fills its inline label. The driver read
 * keeps those labels between calls and then reads only the label files appended since ({@link LatestLabels}).
 */
public final class LakeTableEvents implements LabelledEvents {

    private static final Logger LOG = LoggerFactory.getLogger(LakeTableEvents.class);
    private static final String LATEST_LABEL = "_streamtree_latest_label";
    private static final String LATE_EVENT_ID = "_streamtree_label_event_id";

    private final SparkSession spark;
    private final LakeTables tables;
    private final TableIdentifier identifier;
    /** Kept across driver reads (the scheduler calls them again and again); guarded by its own lock. */
    private final LatestLabels latestLabels = new LatestLabels();
    private Catalog catalog;

    /**
     * @throws IllegalStateException when the session's {@code spark_catalog} is another catalog (see
     *                               {@link LakeTables#configure})
     */
    public LakeTableEvents(SparkSession spark, LakeTables tables, TableIdentifier identifier) {
        this.spark = spark;
        this.tables = tables.qualified(spark.sparkContext().hadoopConfiguration());
        this.identifier = identifier;
        this.tables.configure(spark);
    }

    @Override
    public LabelledEvents.TableRows read(EventSchema schema, Optional<Instant> since) {
        Catalog catalog = catalog();
        Table table = tables.ensureEventsTable(catalog, identifier, schema);
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            LOG.info("lake table {} has no snapshot yet", LakeTables.sqlName(identifier));
            return new LabelledEvents.TableRows(spark.createDataFrame(List.of(), LakeTable.sparkSchema(schema)),
                    OptionalLong.empty());
        }
        Dataset<Row> rows = spark.read().format("iceberg")
                .option(SparkReadOptions.VERSION_AS_OF, current.snapshotId())
                .load(LakeTables.SPARK_CATALOG + "." + LakeTables.sqlName(identifier));
        if (since.isPresent()) {
            rows = rows.filter(fromHourOf(since.get()))
                    .filter(col(schema.eventTimeField()).geq(lit(Timestamp.from(since.get()))));
        }
        if (schema.labelSpec().isPresent()) {
            rows = withLatestLabels(rows, latestLabels(), schema);
        }
        return new LabelledEvents.TableRows(rows, OptionalLong.of(current.snapshotId()));
    }

    /**
     * A lower bound of the labelled rows with an event time at or after {@code from}, from the table's metadata alone
     * (no Spark job): over the data files whose event times all lie at or after {@code from} (their column bounds say
     * so; every file when {@code from} is null), the row count less the label's null count. Files that straddle
     * {@code from}, files without column metrics and late labels from the labels table are not counted, so the rows a
     * read would find are never fewer.
     */
    @Override
    public long labelledRowsLowerBound(EventSchema schema, Instant from) {
        if (schema.labelSpec().isEmpty()) {
            return 0;
        }
        Optional<Table> table = eventsTable();
        if (table.isEmpty() || table.get().currentSnapshot() == null) {
            return 0;
        }
        long fromMicros = from == null ? Long.MIN_VALUE : micros(from);
        long rows = 0;
        for (LabelledFileCounts.FileCount file : LabelledFileCounts.of(table.get(),
                table.get().newScan().filter(since(schema, from)), schema.eventTimeField(), schema.labelSpec().get().name())) {
            if (file.earliestMicros() >= fromMicros) {
                rows += file.labelled();
            }
        }
        return rows;
    }

    /** {@inheritDoc} From the events table's current snapshot ({@link LastRowsBound}). */
    @Override
    public Optional<Instant> lastRowsFrom(EventSchema schema, long rows) {
        if (schema.labelSpec().isEmpty()) {
            return Optional.empty();
        }
        return eventsTable().flatMap(table -> LastRowsBound.of(table, table.currentSnapshot(), schema.eventTimeField(),
                schema.labelSpec().get().name(), rows));
    }

    /** The events table, refreshed to its current snapshot; empty when it does not exist. */
    private Optional<Table> eventsTable() {
        Catalog catalog = catalog();
        if (!catalog.tableExists(identifier)) {
            return Optional.empty();
        }
        Table table = tables.load(catalog, identifier);
        table.refresh();
        return Optional.of(table);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Plans the events table's files after {@code since} once, declines when they hold more than {@code maxRows} rows,
     * then reads those files. Driver reads hold the lock of the late labels they share, so two run one after the
     * other.
     */
    @Override
    public Optional<DriverRead> readOnDriver(EventSchema schema, Instant since, long maxRows) {
        // the lake keeps microseconds, and Spark's filter truncates its bound to them: a row at the bound's microsecond
        // is in
        Instant from = since == null ? null : since.truncatedTo(ChronoUnit.MICROS);
        Catalog catalog = catalog();
        Table table = tables.ensureEventsTable(catalog, identifier, schema);
        table.refresh();
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            return Optional.of(new DriverRead(List.of(), OptionalLong.empty()));
        }
        PlannedFiles events = PlannedFiles.plan(table, table.newScan().useSnapshot(current.snapshotId())
                .filter(since(schema, from)).select(schema.columns()));
        if (events.rows() > maxRows) {
            return Optional.empty();
        }
        OptionalLong snapshotId = OptionalLong.of(current.snapshotId());
        if (schema.labelSpec().isEmpty()) {
            return Optional.of(new DriverRead(rows(events, schema, from, id -> null), snapshotId));
        }
        synchronized (latestLabels) {
            if (!refreshLatestLabels(catalog, maxRows)) {
                return Optional.empty();
            }
            return Optional.of(new DriverRead(rows(events, schema, from, latestLabels::label), snapshotId));
        }
    }

    /**
     * The events' rows at or after {@code from} (every row when null) as Spark rows of the schema's columns, each
     * labelled with its late label when {@code lateLabel} gives one (null: the inline label stays).
     */
    private static List<Row> rows(PlannedFiles events, EventSchema schema, Instant from,
                                  Function<String, String> lateLabel) {
        List<String> columns = schema.columns();
        StructType rowType = new StructType(columns.stream()
                .map(c -> LakeTable.sparkSchema(schema).apply(c)).toArray(StructField[]::new));
        int timeIndex = columns.indexOf(schema.eventTimeField());
        int labelIndex = schema.labelSpec().map(l -> columns.indexOf(l.name())).orElse(-1);
        int idIndex = columns.indexOf(schema.idField());
        List<Row> rows = new ArrayList<>();
        events.forEach(record -> {
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = record.getField(columns.get(i));
            }
            Instant time = instant(values[timeIndex]);
            if (from != null && time.isBefore(from)) {
                return;
            }
            values[timeIndex] = Timestamp.from(time);
            for (int i = 0; i < values.length; i++) {
                if (values[i] instanceof CharSequence text) {
                    values[i] = text.toString();
                }
            }
            if (labelIndex >= 0) {
                String label = lateLabel.apply((String) values[idIndex]);
                if (label != null) {
                    values[labelIndex] = label;
                }
            }
            rows.add(new GenericRowWithSchema(values, rowType));
        });
        return rows;
    }

    /**
     * Brings {@link #latestLabels} to the labels table's current snapshot (emptied when the table does not exist or
     * has no snapshot); false when it holds more than {@code maxRows} rows. The caller holds their lock.
     */
    private boolean refreshLatestLabels(Catalog catalog, long maxRows) {
        TableIdentifier labelsId = LabelsTable.identifier(identifier.namespace().level(0));
        if (!catalog.tableExists(labelsId)) {
            latestLabels.clear();
            return true;
        }
        Table labels = tables.load(catalog, labelsId);
        labels.refresh();
        long t0 = System.nanoTime();
        LatestLabels.Refresh refresh = latestLabels.refresh(labels, maxRows);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        String line = "late labels of {} {}: {} files of {} rows ({} rows in the table, limit {}); {} events "
                + "labelled; {} ms";
        Object[] args = {LakeTables.sqlName(labelsId), refresh.mode(), refresh.files(), refresh.rows(),
                refresh.tableRows(), maxRows, latestLabels.size(), millis};
        if (refresh.mode() == LatestLabels.Mode.REBUILT || refresh.mode() == LatestLabels.Mode.DECLINED) {
            LOG.info(line, args);
        } else {
            LOG.debug(line, args);
        }
        return refresh.mode() != LatestLabels.Mode.DECLINED;
    }

    /** An Iceberg timestamp value (with or without zone; without is UTC, as the lake writes it) as an instant. */
    static Instant instant(Object value) {
        if (value instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        if (value instanceof LocalDateTime time) {
            return time.toInstant(ZoneOffset.UTC);
        }
        throw new IllegalStateException("expected an Iceberg timestamp, got " + value);
    }

    private static long micros(Instant time) {
        return time.getEpochSecond() * 1_000_000L + time.getNano() / 1000;
    }

    /**
     * Rows at or after {@code from} (every row when null), on the partition columns (whole hours before it are never
     * planned) and on the event time (checked against each file's column bounds, and by the generic reader per row).
     */
    private static Expression since(EventSchema schema, Instant from) {
        if (from == null) {
            return Expressions.alwaysTrue();
        }
        LakePartition first = LakePartition.of(from);
        return Expressions.and(
                Expressions.or(Expressions.greaterThan(LakeLayout.EVENT_DATE, first.eventDate()),
                        Expressions.and(Expressions.equal(LakeLayout.EVENT_DATE, first.eventDate()),
                                Expressions.greaterThanOrEqual(LakeLayout.EVENT_HOUR, first.eventHour()))),
                Expressions.greaterThanOrEqual(schema.eventTimeField(), micros(from)));
    }

    /**
     * The latest label of each event in the labels table ({@code event_id, label}), pinned to its current snapshot; empty
     * when the table does not exist or has no snapshot yet.
     */
    private Optional<Dataset<Row>> latestLabels() {
        TableIdentifier labelsId = LabelsTable.identifier(identifier.namespace().level(0));
        Catalog catalog = catalog();
        if (!catalog.tableExists(labelsId)) {
            return Optional.empty();
        }
        Snapshot labelsSnapshot = tables.load(catalog, labelsId).currentSnapshot();
        if (labelsSnapshot == null) {
            return Optional.empty();
        }
        LOG.info("joining late labels from {} (snapshot {})", LakeTables.sqlName(labelsId), labelsSnapshot.snapshotId());
        return Optional.of(latest(spark.read().format("iceberg")
                .option(SparkReadOptions.VERSION_AS_OF, labelsSnapshot.snapshotId())
                .load(LakeTables.SPARK_CATALOG + "." + LakeTables.sqlName(labelsId))));
    }

    /**
     * One row per event id: the label with the latest {@code labelled_at} (equal times: the greater label, so the pick
     * is deterministic; the arrival order is not in the table).
     */
    static Dataset<Row> latest(Dataset<Row> labels) {
        return labels.groupBy(col(LabelsTable.EVENT_ID))
                .agg(max_by(col(LabelsTable.LABEL), struct(col(LabelsTable.LABELLED_AT), col(LabelsTable.LABEL)))
                        .as(LATEST_LABEL));
    }

    /**
     * The events with each event's latest late label in place of its inline one (kept when the event has no late
     * label); columns and their order unchanged. The events' filters stay below the join, so their pruning holds.
     */
    static Dataset<Row> withLatestLabels(Dataset<Row> events, Optional<Dataset<Row>> latest, EventSchema schema) {
        if (latest.isEmpty()) {
            return events;
        }
        String label = schema.labelSpec().orElseThrow().name();
        Dataset<Row> late = latest.get().withColumnRenamed(LabelsTable.EVENT_ID, LATE_EVENT_ID);
        Dataset<Row> joined = events.join(late, events.col(schema.idField()).equalTo(late.col(LATE_EVENT_ID)), "left");
        Column[] columns = java.util.Arrays.stream(events.columns())
                .map(name -> name.equals(label) ? coalesce(joined.col(LATEST_LABEL), events.col(label)).as(label)
                        : events.col(name))
                .toArray(Column[]::new);
        return joined.select(columns);
    }

    /** Rows in the hour of {@code since} or later, on the partition columns alone. */
    static Column fromHourOf(Instant since) {
        LakePartition first = LakePartition.of(since);
        Column date = col(LakeLayout.EVENT_DATE);
        return date.gt(lit(first.eventDate()))
                .or(date.equalTo(lit(first.eventDate())).and(col(LakeLayout.EVENT_HOUR).geq(lit(first.eventHour()))));
    }

    /**
     * The lake's catalog, created on first use. Reads run on the scheduler's worker thread and the row-count probe on
     * its poller thread, hence synchronized.
     */
    private synchronized Catalog catalog() {
        if (catalog == null) {
            catalog = tables.catalog(spark.sparkContext().hadoopConfiguration());
        }
        return catalog;
    }

    @Override
    public String describe() {
        return "Iceberg table " + LakeTables.sqlName(identifier) + " (" + tables.kind() + " catalog, lake "
                + tables.warehouse() + ")";
    }
}
