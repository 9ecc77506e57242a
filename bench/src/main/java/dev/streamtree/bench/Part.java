package dev.streamtree.bench;

/** The benchmark parts, in the order {@code all} runs them. */
public enum Part {
    /** Kafka produce/consume, Spark passthrough and the streaming job on the same preloaded events. */
    THROUGHPUT,
    /** End-to-end latency at each paced rate. */
    LATENCY,
    /** Hot swaps under load: gap, lost and duplicated events. */
    SWAP,
    /** Retrain fit time and accuracy vs scikit-learn. */
    TRAINING,
    /** A 30-day Iceberg lake: files and one-day reads before and after compaction, reads as it grows (not in all). */
    LAKE
}
