package dev.streamtree.retrain.source;

import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Where the retrain job reads lake rows from. */
public interface LabelledEvents {

    /**
     * The lake table's rows (schema columns plus partition columns), labelled or not, as of one table snapshot; lazy.
     *
     * @param since when present, only rows whose event time is at or after it are needed: the reader prunes the
     *              partitions and files before it
     * @throws dev.streamtree.common.catalog.CatalogException when the table cannot be created, loaded or read
     */
    TableRows read(EventSchema schema, Optional<Instant> since);

    /**
     * A number of labelled rows with an event time at or after {@code from} that {@link #read} would surely find,
     * known without running a Spark job (from table metadata); 0 when the source cannot tell. Never more than the
     * rows a read finds.
     */
    default long labelledRowsLowerBound(EventSchema schema, Instant from) {
        return 0;
    }

    /**
     * What {@link #read} would return (the schema's columns only, each event with its latest label), read into the
     * driver's heap without a Spark job: for the few thousand rows of a drift or bootstrap retrain, a Spark query's
     * planning, scheduling and collect cost seconds beside a stream (a cold one over ten). Empty when the rows it
     * would read (before any label filter) may exceed {@code maxRows}, or when this source cannot read on the driver;
     * the caller then reads with {@link #read}.
     *
     * @param since when not null, only rows whose event time is at or after it are returned
     * @throws dev.streamtree.common.catalog.CatalogException when the table cannot be created, loaded or read
     */
    default Optional<DriverRead> readOnDriver(EventSchema schema, Instant since, long maxRows) {
        return Optional.empty();
    }

    /**
     * An event time from which a {@link #read} or {@link #readOnDriver} surely holds the latest {@code rows} labelled
     * rows, known from table metadata without reading a row, so that a "last N rows" window need not read the whole
     * table; empty when the source cannot tell (then the whole table is read).
     */
    default Optional<Instant> lastRowsFrom(EventSchema schema, long rows) {
        return Optional.empty();
    }

    /** Where the rows come from, for summaries. */
    String describe();

    /**
     * Rows of one state of the table.
     *
     * @param rows       the rows
     * @param snapshotId the table snapshot they are read from; empty when the table has no snapshot yet
     */
    record TableRows(Dataset<Row> rows, OptionalLong snapshotId) {
    }

    /**
     * Rows of one state of the table, in the driver's heap.
     *
     * @param rows       the schema's columns ({@link EventSchema#columns()}), in that order and with those names
     * @param snapshotId the table snapshot they are read from; empty when the table has no snapshot yet
     */
    record DriverRead(List<Row> rows, OptionalLong snapshotId) {
        public DriverRead {
            rows = List.copyOf(rows);
        }
    }
}
