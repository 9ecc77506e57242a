package dev.streamtree.retrain.source;

import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Where the retrain job reads lake rows from. */
public interface LabelledEvents {

    /**
     * The lake table's rows (schema columns plus partition columns), labelled or not; lazy.
     *
     * @throws dev.streamtree.common.catalog.CatalogException when the table cannot be registered or read
     */
    Dataset<Row> read(EventSchema schema);

    /** Where the rows come from, for summaries. */
    String describe();
}
