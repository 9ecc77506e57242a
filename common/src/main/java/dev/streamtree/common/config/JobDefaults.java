package dev.streamtree.common.config;

/**
 * Defaults shared by every job's flags, so the streaming job, the retrain job and the deployers agree on where a
 * local run keeps its lake and registry and what the catalog table is called.
 */
public final class JobDefaults {

    /** {@code --schema}: the Agrawal loan-application schema shipped in the common jar. */
    public static final String SCHEMA = "builtin:agrawal";
    /** {@code --lake}: relative to the working directory for local runs. */
    public static final String LAKE = "work/lake";
    /** {@code --registry}. */
    public static final String REGISTRY = "work/registry";
    /** {@code --catalog}: Spark's session catalog. */
    public static final String CATALOG = "local";
    /** {@code --database}. */
    public static final String DATABASE = "streamtree";
    /** {@code --table}. */
    public static final String TABLE = "events";

    private JobDefaults() {
    }
}
