package dev.streamtree.streaming.config;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.topic.Topics;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the streaming job needs, resolved and validated once.
 *
 * @param kafka                brokers and client properties, for the source and both sinks
 * @param topics               events in; dead letters and predictions out
 * @param schemaLocation       a schema file or {@code builtin:NAME}
 * @param lake                 the lake table's location (a local path or any Hadoop URI such as s3://...)
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
 */
public record StreamingConfig(KafkaSettings kafka, Topics topics, String schemaLocation, String lake, String registry,
                              CatalogKind catalog, String database, String table, String glueRegion, String checkpoint,
                              Duration triggerInterval, long maxOffsetsPerTrigger, String startingOffsets,
                              boolean explain) {

    public StreamingConfig {
        Objects.requireNonNull(kafka, "Kafka settings are required (" + StreamingOptions.BOOTSTRAP_SERVERS + ")");
        Objects.requireNonNull(topics, "topics are required");
        requireText(schemaLocation, StreamingOptions.SCHEMA);
        requireText(lake, StreamingOptions.LAKE);
        requireText(registry, StreamingOptions.REGISTRY);
        requireText(checkpoint, StreamingOptions.CHECKPOINT);
        requireText(database, StreamingOptions.DATABASE);
        requireText(table, StreamingOptions.TABLE);
        Objects.requireNonNull(catalog, "catalog kind is required (" + StreamingOptions.CATALOG + ")");
        if (catalog == CatalogKind.GLUE && (glueRegion == null || glueRegion.isBlank())) {
            throw new IllegalArgumentException(StreamingOptions.CATALOG + " glue needs " + StreamingOptions.GLUE_REGION);
        }
        if (triggerInterval == null || triggerInterval.isNegative() || triggerInterval.isZero()) {
            throw new IllegalArgumentException(StreamingOptions.TRIGGER_INTERVAL + " must be positive, got " + triggerInterval);
        }
        if (maxOffsetsPerTrigger < 0) {
            throw new IllegalArgumentException(StreamingOptions.MAX_OFFSETS_PER_TRIGGER
                    + " must be positive (or 0 for no cap), got " + maxOffsetsPerTrigger);
        }
        requireText(startingOffsets, StreamingOptions.STARTING_OFFSETS);
        String trimmed = startingOffsets.trim();
        if (!trimmed.equals("earliest") && !trimmed.equals("latest") && !trimmed.startsWith("{")) {
            throw new IllegalArgumentException(StreamingOptions.STARTING_OFFSETS + " '" + startingOffsets
                    + "' is not earliest, latest or a JSON object of offsets per partition");
        }
    }

    /** The defaults of every flag, for these brokers. */
    public static StreamingConfig defaults(KafkaSettings kafka) {
        return new StreamingConfig(kafka, Topics.defaults(), StreamingOptions.DEFAULT_SCHEMA, StreamingOptions.DEFAULT_LAKE,
                StreamingOptions.DEFAULT_REGISTRY, CatalogKind.LOCAL, StreamingOptions.DEFAULT_DATABASE,
                StreamingOptions.DEFAULT_TABLE, null, StreamingOptions.DEFAULT_CHECKPOINT,
                StreamingOptions.parseDuration(StreamingOptions.DEFAULT_TRIGGER_INTERVAL, "trigger interval"), 0,
                StreamingOptions.DEFAULT_STARTING_OFFSETS, false);
    }

    public StreamingConfig withLocations(String newLake, String newRegistry, String newCheckpoint) {
        return new StreamingConfig(kafka, topics, schemaLocation, newLake, newRegistry, catalog, database, table,
                glueRegion, newCheckpoint, triggerInterval, maxOffsetsPerTrigger, startingOffsets, explain);
    }

    public StreamingConfig withTopics(Topics newTopics) {
        return new StreamingConfig(kafka, newTopics, schemaLocation, lake, registry, catalog, database, table,
                glueRegion, checkpoint, triggerInterval, maxOffsetsPerTrigger, startingOffsets, explain);
    }

    public StreamingConfig withTable(String newDatabase, String newTable) {
        return new StreamingConfig(kafka, topics, schemaLocation, lake, registry, catalog, newDatabase, newTable,
                glueRegion, checkpoint, triggerInterval, maxOffsetsPerTrigger, startingOffsets, explain);
    }

    public StreamingConfig withTrigger(Duration newInterval, long newMaxOffsetsPerTrigger) {
        return new StreamingConfig(kafka, topics, schemaLocation, lake, registry, catalog, database, table,
                glueRegion, checkpoint, newInterval, newMaxOffsetsPerTrigger, startingOffsets, explain);
    }

    /** The same configuration with predictions carrying the decision path. */
    public StreamingConfig withDecisionPaths() {
        return new StreamingConfig(kafka, topics, schemaLocation, lake, registry, catalog, database, table,
                glueRegion, checkpoint, triggerInterval, maxOffsetsPerTrigger, startingOffsets, true);
    }

    private static void requireText(String value, String flag) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(flag + " must not be empty");
        }
    }
}
