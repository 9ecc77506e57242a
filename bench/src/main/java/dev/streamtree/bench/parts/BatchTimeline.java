package dev.streamtree.bench.parts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The non-empty micro-batches of one query run, in order, as Spark's progress reports give them, and what a
 * records/s figure taken from them is made of: the span from the start of the first counted batch to the end of
 * the last is the counted batches' durations plus the time between them (Spark's trigger wait, progress
 * reporting after a batch's end, anything else the stream thread did outside a batch).
 *
 * <p>With two or more batches the first is left out as warm-up (code generation, JIT, connections, model load);
 * on a busy 2-core machine the streaming job's first batch of 50,000 events took 38 s, its second 8 s. A partial
 * last batch (after a warm-up and at least one full batch, fewer rows than half the largest batch) is left out
 * too: Spark's Kafka source rounds each partition's share of {@code maxOffsetsPerTrigger} down, so 500,000 events
 * at a cap of 100,000 on two partitions arrive as five batches of 99,999 and one of 5 rows, and those 5 rows would
 * add a whole batch's fixed cost (0.4-1.4 s on a loaded machine) to a figure meant for full batches.
 */
final class BatchTimeline {

    /**
     * One batch.
     *
     * @param startMs    the progress report's timestamp: when the trigger started (epoch ms)
     * @param durationMs the report's batchDuration: trigger start to the end of the batch's commit
     * @param rows       the report's numInputRows
     */
    record Batch(long startMs, long durationMs, long rows) {

        long endMs() {
            return startMs + durationMs;
        }
    }

    private final List<Batch> batches;

    BatchTimeline(List<Batch> batches) {
        this.batches = List.copyOf(batches);
        for (int i = 1; i < this.batches.size(); i++) {
            if (this.batches.get(i).startMs() < this.batches.get(i - 1).startMs()) {
                throw new IllegalArgumentException("batches out of order at " + i + ": " + batches);
            }
        }
    }

    /** The batches the figures count: all but the warm-up batch and a partial last batch. */
    List<Batch> counted() {
        int from = batches.size() >= 2 ? 1 : 0;
        int to = hasPartialTail() ? batches.size() - 1 : batches.size();
        return batches.subList(from, to);
    }

    private boolean hasPartialTail() {
        if (batches.size() < 3) {
            return false;
        }
        long largest = batches.stream().mapToLong(Batch::rows).max().orElse(0);
        return batches.get(batches.size() - 1).rows() * 2 < largest;
    }

    /** The partial last batch left out of the figures, if there was one. */
    Optional<Batch> partialTail() {
        return hasPartialTail() ? Optional.of(batches.get(batches.size() - 1)) : Optional.empty();
    }

    /** All non-empty batches, the warm-up one included. */
    int batches() {
        return batches.size();
    }

    long rows() {
        return counted().stream().mapToLong(Batch::rows).sum();
    }

    /** Start of the first counted batch to the end of the last; 0 without batches. */
    long spanMs() {
        List<Batch> c = counted();
        return c.isEmpty() ? 0 : c.get(c.size() - 1).endMs() - c.get(0).startMs();
    }

    /** Sum of the counted batches' durations. */
    long batchMs() {
        return counted().stream().mapToLong(Batch::durationMs).sum();
    }

    /** Next batch's start minus this batch's end, for each pair of consecutive counted batches. */
    List<Long> gapsMs() {
        List<Batch> c = counted();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < c.size(); i++) {
            gaps.add(c.get(i).startMs() - c.get(i - 1).endMs());
        }
        return gaps;
    }

    /** Time between the counted batches: {@link #spanMs()} minus {@link #batchMs()}. */
    long gapMs() {
        return gapsMs().stream().mapToLong(Long::longValue).sum();
    }

    /** Rows of the counted batches over their span; NaN without batches. */
    double rowsPerSecond() {
        return batches.isEmpty() ? Double.NaN : rows() * 1000.0 / Math.max(spanMs(), 1);
    }

    /** Duration of the batch left out as warm-up; NaN when none was left out. */
    double warmUpMs() {
        return batches.size() >= 2 ? batches.get(0).durationMs() : Double.NaN;
    }


    /** The figures above, for the JSON report. */
    Map<String, Double> summary() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("rowsPerSecond", Math.round(rowsPerSecond() * 10) / 10.0);
        s.put("batches", (double) batches());
        s.put("countedRows", (double) rows());
        s.put("spanMs", (double) spanMs());
        s.put("countedBatchMs", (double) batchMs());
        s.put("betweenBatchesMs", (double) gapMs());
        s.put("maxGapMs", (double) gapsMs().stream().mapToLong(Long::longValue).max().orElse(0));
        if (batches.size() >= 2) {
            s.put("warmUpBatchMs", warmUpMs());
            s.put("warmUpBatchRows", (double) batches.get(0).rows());
        }
        partialTail().ifPresent(tail -> {
            s.put("partialLastBatchMs", (double) tail.durationMs());
            s.put("partialLastBatchRows", (double) tail.rows());
        });
        return s;
    }

    /** Each batch as (start relative to the first batch's start, duration, rows), all in ms and rows. */
    String describe() {
        StringBuilder out = new StringBuilder();
        for (Batch b : batches) {
            out.append(out.isEmpty() ? "" : " ").append('(').append(b.startMs() - batches.get(0).startMs()).append(", ")
                    .append(b.durationMs()).append(", ").append(b.rows()).append(')');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return batches.toString();
    }
}
