package dev.streamtree.streaming.parse;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;

/**
 * Valid and refused record counts of a micro-batch, gathered by the parsing tasks themselves so that counting
 * costs no Spark job of its own. Spark accumulators: exact when each parsed partition is computed once (the batch
 * caches its parsed rows); a task re-run after a lost executor counts its records again, so these are for
 * progress reporting, never for bookkeeping of what was written.
 */
public record ParseCounts(LongAccumulator valid, LongAccumulator refused) implements Serializable {

    /** Registers fresh accumulators with the driver's context. */
    public static ParseCounts register(SparkContext context) {
        return new ParseCounts(context.longAccumulator("streamtree valid records"),
                context.longAccumulator("streamtree refused records"));
    }

    /** Zeroes both counts before the next batch (driver only). */
    public void reset() {
        valid.reset();
        refused.reset();
    }
}
