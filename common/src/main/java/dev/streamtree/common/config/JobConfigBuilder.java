package dev.streamtree.common.config;

import dev.streamtree.common.catalog.CatalogKind;

/**
 * The part of every job's configuration builder that the shared flags ({@link JobOptions}) fill: schema, lake,
 * registry and catalog, each starting at its {@link JobDefaults default}. The streaming and retrain configurations'
 * builders extend it with their own values.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class JobConfigBuilder<B extends JobConfigBuilder<B>> {

    protected String schemaLocation = JobDefaults.SCHEMA;
    protected String lake = JobDefaults.LAKE;
    protected String registry = JobDefaults.REGISTRY;
    protected CatalogKind catalog = CatalogKind.parse(JobDefaults.CATALOG);
    protected String database = JobDefaults.DATABASE;
    protected String table = JobDefaults.TABLE;
    protected String glueRegion;

    protected abstract B self();

    /**
     * The schema, lake, registry and catalog the shared flags name.
     *
     * @throws IllegalArgumentException when {@code --catalog} is not local or glue
     */
    public B job(JobOptions options) {
        return schemaLocation(options.schema()).lake(options.lake()).registry(options.registry())
                .catalog(options.catalog(), options.database(), options.table(), options.glueRegion());
    }

    public B schemaLocation(String value) {
        schemaLocation = value;
        return self();
    }

    public B lake(String value) {
        lake = value;
        return self();
    }

    public B registry(String value) {
        registry = value;
        return self();
    }

    /** The lake table's catalog, {@code database.table}; {@code glueRegion} null unless {@code kind} is Glue. */
    public B catalog(CatalogKind kind, String newDatabase, String newTable, String newGlueRegion) {
        catalog = kind;
        database = newDatabase;
        table = newTable;
        glueRegion = newGlueRegion;
        return self();
    }
}
