package dev.streamtree.common.catalog;

import java.util.Locale;

/** Which catalog the lake table is registered in ({@code --catalog}). */
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

    /**
     * Checks that a catalog of this kind can be opened with {@code glueRegion}.
     *
     * @throws IllegalArgumentException for {@link #GLUE} without a region
     */
    public void requireRegion(String glueRegion) {
        if (this == GLUE && (glueRegion == null || glueRegion.isBlank())) {
            throw new IllegalArgumentException("--catalog glue needs --glue-region");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
