package dev.streamtree.streaming.progress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Records the query has not read yet, from the Kafka source's progress: the sum over partitions of
 * {@code latestOffset - endOffset}. Both are Spark's offset JSON, {@code {"topic":{"0":42,"1":17}}}.
 */
public final class ConsumerLag {

    private ConsumerLag() {
    }

    /** Records not read yet in one topic partition. */
    public record PartitionLag(String topic, int partition, long lag) {
    }

    /** The lag, or empty when either offset is missing or not offset JSON. */
    public static OptionalLong between(String endOffset, String latestOffset) {
        return perPartition(endOffset, latestOffset)
                .map(lags -> OptionalLong.of(lags.stream().mapToLong(PartitionLag::lag).sum()))
                .orElse(OptionalLong.empty());
    }

    /** The lag of each partition in {@code latestOffset}, or empty when either offset is missing or not offset JSON. */
    public static Optional<List<PartitionLag>> perPartition(String endOffset, String latestOffset) {
        if (endOffset == null || latestOffset == null) {
            return Optional.empty();
        }
        try {
            JsonNode end = Json.mapper().readTree(endOffset);
            JsonNode latest = Json.mapper().readTree(latestOffset);
            if (end == null || latest == null || !end.isObject() || !latest.isObject()) {
                return Optional.empty();
            }
            List<PartitionLag> lags = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> topics = latest.fields(); topics.hasNext(); ) {
                Map.Entry<String, JsonNode> topic = topics.next();
                for (Iterator<Map.Entry<String, JsonNode>> partitions = topic.getValue().fields(); partitions.hasNext(); ) {
                    Map.Entry<String, JsonNode> partition = partitions.next();
                    JsonNode read = end.path(topic.getKey()).path(partition.getKey());
                    long readOffset = read.isNumber() ? read.asLong() : 0L;
                    lags.add(new PartitionLag(topic.getKey(), Integer.parseInt(partition.getKey()),
                            Math.max(0, partition.getValue().asLong() - readOffset)));
                }
            }
            return Optional.of(List.copyOf(lags));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
