package dev.streamtree.streaming.config;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.config.JobConfigBuilder;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.topic.Topics;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the streaming job needs, resolved and validated once. Build it with {@link #builder} (every value but
 * the brokers starts at its flag's default) or change one with {@link #toBuilder()}.
 *
 * @param kafka                brokers and client properties, for the source and both sinks
 * @param topics               events in; dead letters and predictions out
 * @param schemaLocation       a schema file or {@code builtin:NAME}
 * @param lake                 the lake root, the Iceberg warehouse (a local path or any Hadoop URI such as s3://...);
 *                             the events table is at {@code <lake>/<database>/<table>}
 * @param registry             the model registry's location
 * @param catalog              where the table is registered
 * @param database             catalog database
 * @param table                catalog table
 * @param glueRegion           AWS region of the Glue catalog; required for {@link CatalogKind#GLUE}, else null
 * @param checkpoint           the streaming query's checkpoint location
 * @param triggerInterval      how often a micro-batch starts
 * @param maxOffsetsPerTrigger cap on records per micro-batch, or 0 for none
 * @param startingOffsets      {@code earliest}, {@code latest} or Spark's per-partition JSON; only used when the
 *                             checkpoint is new
 * @param explain              whether predictions carry the tree's decision path
 * @param lakeCommitInterval   how often journaled micro-batches are committed to the lake table
 */
public record StreamingConfig(KafkaSettings kafka, Topics topics, String schemaLocation, String lake, String registry,
                              CatalogKind catalog, String database, String table, String glueRegion, String checkpoint,
                              Duration triggerInterval, long maxOffsetsPerTrigger, String startingOffsets,
                              boolean explain, Duration lakeCommitInterval) {

    public StreamingConfig {
        Objects.requireNonNull(kafka, "Kafka settings are required (" + JobOptions.BOOTSTRAP_SERVERS + ")");
        Objects.requireNonNull(topics, "topics are required");
        requireText(schemaLocation, JobOptions.SCHEMA);
        requireText(lake, JobOptions.LAKE);
        requireText(registry, JobOptions.REGISTRY);
        requireText(checkpoint, StreamingOptions.CHECKPOINT);
        requireText(database, JobOptions.DATABASE);
        requireText(table, JobOptions.TABLE);
        Objects.requireNonNull(catalog, "catalog kind is required (" + JobOptions.CATALOG + ")");
        catalog.requireRegion(glueRegion);
        if (triggerInterval == null || triggerInterval.isNegative() || triggerInterval.isZero()) {
            throw new IllegalArgumentException(StreamingOptions.TRIGGER_INTERVAL + " must be positive, got " + triggerInterval);
        }
        if (maxOffsetsPerTrigger < 0) {
            throw new IllegalArgumentException(StreamingOptions.MAX_OFFSETS_PER_TRIGGER
                    + " must be positive (or 0 for no cap), got " + maxOffsetsPerTrigger);
        }
        if (lakeCommitInterval == null || lakeCommitInterval.isNegative() || lakeCommitInterval.isZero()) {
            throw new IllegalArgumentException(StreamingOptions.LAKE_COMMIT_INTERVAL + " must be positive, got "
                    + lakeCommitInterval);
        }
        requireText(startingOffsets, StreamingOptions.STARTING_OFFSETS);
        String trimmed = startingOffsets.trim();
        if (!trimmed.equals("earliest") && !trimmed.equals("latest") && !trimmed.startsWith("{")) {
            throw new IllegalArgumentException(StreamingOptions.STARTING_OFFSETS + " '" + startingOffsets
                    + "' is not earliest, latest or a JSON object of offsets per partition");
        }
    }

    /** A builder for these brokers whose every other value is its flag's default. */
    public static Builder builder(KafkaSettings kafka) {
        return new Builder(kafka);
    }

    /** The defaults of every flag, for these brokers. */
    public static StreamingConfig defaults(KafkaSettings kafka) {
        return builder(kafka).build();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder builder = new Builder(kafka).topics(topics).schemaLocation(schemaLocation).lake(lake).registry(registry)
                .catalog(catalog, database, table, glueRegion).checkpoint(checkpoint)
                .trigger(triggerInterval, maxOffsetsPerTrigger).startingOffsets(startingOffsets)
                .lakeCommitInterval(lakeCommitInterval);
        return explain ? builder.decisionPaths() : builder;
    }

    public StreamingConfig withLocations(String newLake, String newRegistry, String newCheckpoint) {
        return toBuilder().lake(newLake).registry(newRegistry).checkpoint(newCheckpoint).build();
    }

    public StreamingConfig withTopics(Topics newTopics) {
        return toBuilder().topics(newTopics).build();
    }

    public StreamingConfig withTable(String newDatabase, String newTable) {
        return toBuilder().catalog(catalog, newDatabase, newTable, glueRegion).build();
    }

    public StreamingConfig withTrigger(Duration newInterval, long newMaxOffsetsPerTrigger) {
        return toBuilder().trigger(newInterval, newMaxOffsetsPerTrigger).build();
    }

    public StreamingConfig withLakeCommitInterval(Duration newInterval) {
        return toBuilder().lakeCommitInterval(newInterval).build();
    }

    /** The same configuration with predictions carrying the decision path. */
    public StreamingConfig withDecisionPaths() {
        return toBuilder().decisionPaths().build();
    }

    private static void requireText(String value, String flag) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(flag + " must not be empty");
        }
    }

    /** Named values for a {@link StreamingConfig}; {@link #build()} validates them. */
    public static final class Builder extends JobConfigBuilder<Builder> {

        private final KafkaSettings kafka;
        private Topics topics = Topics.defaults();
        private String checkpoint = StreamingOptions.DEFAULT_CHECKPOINT;
        private Duration triggerInterval = StreamingOptions.parseDuration(StreamingOptions.DEFAULT_TRIGGER_INTERVAL,
                StreamingOptions.TRIGGER_INTERVAL);
        private long maxOffsetsPerTrigger;
        private String startingOffsets = StreamingOptions.DEFAULT_STARTING_OFFSETS;
        private boolean explain;
        private Duration lakeCommitInterval = StreamingOptions.parseDuration(
                StreamingOptions.DEFAULT_LAKE_COMMIT_INTERVAL, StreamingOptions.LAKE_COMMIT_INTERVAL);

        private Builder(KafkaSettings kafka) {
            this.kafka = kafka;
        }

        public Builder topics(Topics value) {
            topics = value;
            return this;
        }

        public Builder checkpoint(String value) {
            checkpoint = value;
            return this;
        }

        /** How often a micro-batch starts, and the cap on its records (0 for none). */
        public Builder trigger(Duration interval, long maxOffsets) {
            triggerInterval = interval;
            maxOffsetsPerTrigger = maxOffsets;
            return this;
        }

        public Builder startingOffsets(String value) {
            startingOffsets = value;
            return this;
        }

        public Builder lakeCommitInterval(Duration value) {
            lakeCommitInterval = value;
            return this;
        }

        /** Predictions carry the tree's decision path ({@code --explain}). */
        public Builder decisionPaths() {
            explain = true;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad value */
        public StreamingConfig build() {
            return new StreamingConfig(kafka, topics, schemaLocation, lake, registry, catalog, database, table,
                    glueRegion, checkpoint, triggerInterval, maxOffsetsPerTrigger, startingOffsets, explain,
                    lakeCommitInterval);
        }
    }
}
