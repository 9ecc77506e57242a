package dev.streamtree.common.schema;

/** How a feature's value is represented in events, in the lake and in the model. */
public enum FeatureType {
    /** A finite JSON number; stored as a Parquet double. */
    NUMERIC,
    /** One of a fixed set of values, given as a JSON string or integer; stored as a Parquet string. */
    CATEGORICAL
}
