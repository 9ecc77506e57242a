package dev.streamtree.streaming.parse;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;

/**
 * Valid and refused record counts of a micro-batch, gathered by the tasks that validate the records, so that counting
 * costs no Spark job of its own. Spark accumulators: in the streaming job the counting tasks are the batch's result
 * tasks, whose updates Spark merges once per partition, from the attempt that succeeded, so the counts are exact.
 * Counted in a stage that is computed more than once (an uncached input read by two jobs, a lost shuffle output),
 * they count those records again: they are for progress reporting, never for bookkeeping of what was written.
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
