package dev.streamtree.retrain.train;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Cross-validation folds assigned by a hash of the event id: the same event lands in the same fold on every run,
 * whatever the row order or partitioning, so a replayed retrain over the same rows chooses the same parameters.
 */
public final class Folds {

    /** The fold column {@link #withFold} adds; helper columns start with an underscore. */
    public static final String FOLD = "_fold";

    private Folds() {
    }

    /** The fold, 0..k-1, of the row whose id is in {@code idColumn} (xxHash64 of the id, modulo k). */
    public static Column fold(String idColumn, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        }
        return pmod(xxhash64(col("`" + idColumn + "`")), lit((long) k)).cast("int");
    }

    /** Adds {@link #FOLD}. */
    public static Dataset<Row> withFold(Dataset<Row> rows, String idColumn, int k) {
        return rows.withColumn(FOLD, fold(idColumn, k));
    }
}
