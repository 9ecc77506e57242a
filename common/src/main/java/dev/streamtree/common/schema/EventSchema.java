package dev.streamtree.common.schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The contract every component derives from: which JSON fields an event has, how they are validated,
 * which Parquet columns the lake holds and which columns the model reads.
 *
 * @param name           a short dataset name, used in table names and model metadata
 * @param idField        the field holding the event id (a non-empty string); also the Kafka key
 * @param eventTimeField the field holding the event time (ISO-8601 instant or epoch milliseconds)
 * @param features       model inputs, in model order
 * @param label          the label, or null when events carry none
 */
public record EventSchema(String name, String idField, String eventTimeField, List<Feature> features, LabelSpec label)
        implements java.io.Serializable {

    public EventSchema {
        if (name == null || !name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema name '" + name + "' must be lower-case letters, digits and underscores");
        }
        SchemaNames.requireColumnName(idField, "id field");
        SchemaNames.requireColumnName(eventTimeField, "event-time field");
        features = features == null ? List.of() : List.copyOf(features);
        if (features.isEmpty()) {
            throw new IllegalArgumentException("schema '" + name + "' has no features");
        }
        Set<String> seen = new HashSet<>();
        List<String> all = new ArrayList<>();
        all.add(idField);
        all.add(eventTimeField);
        features.forEach(f -> all.add(f.name()));
        if (label != null) {
            all.add(label.name());
        }
        for (String column : all) {
            if (!seen.add(column)) {
                throw new IllegalArgumentException("schema '" + name + "' uses the name '" + column + "' twice");
            }
        }
    }

    public Optional<LabelSpec> labelSpec() {
        return Optional.ofNullable(label);
    }

    public List<String> featureNames() {
        return features.stream().map(Feature::name).toList();
    }

    public Optional<Feature> feature(String featureName) {
        return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
    }

    /** Columns of a validated event in lake order: id, event time, features, label (if any). */
    public List<String> columns() {
        List<String> columns = new ArrayList<>();
        columns.add(idField);
        columns.add(eventTimeField);
        columns.addAll(featureNames());
        if (label != null) {
            columns.add(label.name());
        }
        return columns;
    }

    /** A stable fingerprint of the contract, recorded with every model so a mismatch is detected. */
    public String fingerprint() {
        return SchemaCodec.fingerprint(this);
    }
}
