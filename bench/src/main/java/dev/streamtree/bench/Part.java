package dev.streamtree.bench;

/** The benchmark parts, in the order {@code all} runs them ({@code all} leaves out {@link #REALTIME} and {@link #ADAPTATION}). */
public enum Part {
    /** Kafka produce/consume, Spark passthrough and the streaming job on the same preloaded events. */
    THROUGHPUT,
    /** End-to-end latency at each paced rate. */
    LATENCY,
    /** Hot swaps under load: gap, lost and duplicated events. */
    SWAP,
    /**
     * Real-time mode: latency at each paced rate beside the micro-batch job's and a plain Spark real-time query's, then
     * the hot swaps in real-time mode. Needs partitions + 1 task slots.
     */
    REALTIME,
    /** Retrain fit time and accuracy vs scikit-learn. */
    TRAINING,
    /** A 30-day Iceberg lake: files and one-day reads before and after compaction, reads as it grows (not in all). */
    LAKE,
    /**
     * The feedback loop on the demo's drifting stream, run like {@code bin/streamtree demo} (its own broker and Spark):
     * prequential accuracy, recovery after the drift, detection to serving, false detections.
     */
    ADAPTATION
}
