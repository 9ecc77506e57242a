package dev.streamtree.streaming.parse;

import dev.streamtree.common.event.ValidationResult;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/**
 * Valid and refused record counts of a micro-batch, gathered by the tasks that validate the records, so that counting
 * costs no Spark job of its own. Spark accumulators: in the streaming job the counting tasks are the batch's result
 * tasks, whose updates Spark merges once per partition, from the attempt that succeeded, so the counts are exact.
 * Counted in a stage that is computed more than once (an uncached input read by two jobs, a lost shuffle output),
 * they count those records again: they are for progress reporting, never for bookkeeping of what was written.
 */
public record ParseCounts(LongAccumulator valid, LongAccumulator refused,
                          EnumMap<ValidationResult.Kind, LongAccumulator> refusedByKind) implements Serializable {

    /** Registers fresh accumulators with the driver's context. */
    public static ParseCounts register(SparkContext context) {
        EnumMap<ValidationResult.Kind, LongAccumulator> byKind = new EnumMap<>(ValidationResult.Kind.class);
        for (ValidationResult.Kind kind : ValidationResult.Kind.values()) {
            byKind.put(kind, context.longAccumulator("streamtree refused records: " + kind.label()));
        }
        return new ParseCounts(context.longAccumulator("streamtree valid records"),
                context.longAccumulator("streamtree refused records"), byKind);
    }

    /** Accumulators registered with no context: counts in this JVM only (unit tests of the task side). */
    public static ParseCounts unregistered() {
        EnumMap<ValidationResult.Kind, LongAccumulator> byKind = new EnumMap<>(ValidationResult.Kind.class);
        for (ValidationResult.Kind kind : ValidationResult.Kind.values()) {
            byKind.put(kind, new LongAccumulator());
        }
        return new ParseCounts(new LongAccumulator(), new LongAccumulator(), byKind);
    }

    /** Counts one refused record (task side). */
    public void refuse(ValidationResult.Kind kind) {
        refused.add(1);
        refusedByKind.get(kind).add(1);
    }

    /** Refused records of the batch by kind, the kinds with none left out (driver only). */
    public Map<String, Long> refusedByReason() {
        Map<String, Long> out = new java.util.TreeMap<>();
        refusedByKind.forEach((kind, count) -> {
            if (count.value() > 0) {
                out.put(kind.label(), count.value());
            }
        });
        return out;
    }

    /** Zeroes every count before the next batch (driver only). */
    public void reset() {
        valid.reset();
        refused.reset();
        refusedByKind.values().forEach(LongAccumulator::reset);
    }
}
