/**
 * The streaming job: one Structured Streaming query from the events topic. Each micro-batch
 * ({@link dev.streamtree.streaming.MicroBatchProcessor}) picks one model version ({@code score}), then makes one pass
 * over its Kafka records ({@link dev.streamtree.streaming.BatchPass}): records are validated ({@code parse}), valid
 * events go to the lake and are scored, refused ones become dead letters ({@code sink}); the lake batch is committed
 * exactly once afterwards. {@code config} holds the job's flags and configuration, {@code progress} what it reports.
 */
package dev.streamtree.streaming;
