package dev.streamtree.streaming.config;

import java.util.Locale;

/** Which catalog the lake table is registered in. */
public enum CatalogKind {
    /** Spark's session catalog of the job's own SparkSession. */
    LOCAL,
    /** The AWS Glue Data Catalog of {@code --glue-region}. */
    GLUE;

    /** Parses {@code local} or {@code glue}, naming the bad value otherwise. */
    public static CatalogKind parse(String text) {
        for (CatalogKind kind : values()) {
            if (kind.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("catalog '" + text + "' is not one of local, glue");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
