package dev.streamtree.retrain.source;

import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.Instant;
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
}
