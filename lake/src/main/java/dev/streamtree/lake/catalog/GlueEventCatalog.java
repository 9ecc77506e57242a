package dev.streamtree.lake.catalog;

import dev.streamtree.common.catalog.CatalogException;
import dev.streamtree.common.catalog.CatalogedFiles;
import dev.streamtree.common.catalog.EventCatalog;
import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.catalog.RegisteredPartitions;
import dev.streamtree.common.schema.EventSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionResponse;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.DatabaseInput;
import software.amazon.awssdk.services.glue.model.Partition;
import software.amazon.awssdk.services.glue.model.PartitionError;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.SerDeInfo;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.TableInput;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The lake table in the AWS Glue Data Catalog, readable by Athena, EMR and Spark with the Glue metastore.
 *
 * <p>{@link #ensureTable} creates the database and an external Parquet table partitioned by
 * {@code event_date} (string) and {@code event_hour} (int); {@link #addPartitions} registers partitions with
 * {@code BatchCreatePartition}, at most {@value #MAX_PARTITIONS_PER_CALL} per call. "Already exists" from
 * Glue, for the database, the table or a partition, is success. An existing table is left as it is (its
 * columns are not compared with the schema).
 *
 * <p>Failures: any other Glue error, or a client/network failure after the SDK's own retries, is thrown as
 * {@link CatalogException} naming the table. The client is driver-side only; never ship it into a Spark closure.
 */
public final class GlueEventCatalog implements EventCatalog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GlueEventCatalog.class);

    /** Glue's limit for {@code BatchCreatePartition}. */
    public static final int MAX_PARTITIONS_PER_CALL = 100;

    static final String INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    static final String OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    static final String SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,255}");

    private final GlueClient glue;
    private final String database;
    private final String table;
    private volatile StorageDescriptor tableStorage;
    private final RegisteredPartitions registered = new RegisteredPartitions();

    /** Uses the given client (endpoint, region and credentials are its business). */
    public GlueEventCatalog(GlueClient glue, String database, String table) {
        this.glue = glue;
        this.database = requireName(database, "Glue database");
        this.table = requireName(table, "Glue table");
    }

    /** A catalog with the default credentials chain and the URL-connection HTTP client. */
    public static GlueEventCatalog create(String region, String database, String table) {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("the Glue catalog needs an AWS region (--glue-region)");
        }
        GlueClient client = GlueClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        return new GlueEventCatalog(client, database, table);
    }

    @Override
    public String tableName() {
        return database + "." + table;
    }

    @Override
    public void ensureTable(EventSchema schema, String location) {
        StorageDescriptor storage = storage(schema, location);
        try {
            try {
                glue.createDatabase(r -> r.databaseInput(DatabaseInput.builder().name(database)
                        .description("streamtree lake").build()));
                LOG.info("created Glue database {}", database);
            } catch (AlreadyExistsException e) {
                LOG.debug("Glue database {} exists", database);
            }
            try {
                glue.createTable(r -> r.databaseName(database).tableInput(TableInput.builder()
                        .name(table)
                        .description("streamtree events of schema '" + schema.name() + "' (fingerprint "
                                + schema.fingerprint() + ")")
                        .tableType("EXTERNAL_TABLE")
                        .parameters(Map.of("classification", "parquet", "EXTERNAL", "TRUE"))
                        .partitionKeys(columns(LakeLayout.PARTITION_COLUMNS))
                        .storageDescriptor(storage)
                        .build()));
                LOG.info("created Glue table {} at {}", tableName(), location);
            } catch (AlreadyExistsException e) {
                LOG.info("Glue table {} exists; leaving it as it is", tableName());
            }
        } catch (SdkException e) {
            throw new CatalogException("cannot create Glue table " + tableName() + ": " + e.getMessage(), e);
        }
        tableStorage = storage;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when {@link #ensureTable} was not called first (the partitions' storage
     *                               descriptor derives from the table's)
     */
    @Override
    public void addPartitions(List<LakePartition> partitions) {
        StorageDescriptor storage = tableStorage;
        if (storage == null) {
            throw new IllegalStateException("call ensureTable before addPartitions on Glue table " + tableName());
        }
        List<LakePartition> unregistered = registered.unregistered(partitions);
        for (int from = 0; from < unregistered.size(); from += MAX_PARTITIONS_PER_CALL) {
            List<LakePartition> chunk = unregistered.subList(from, Math.min(unregistered.size(), from + MAX_PARTITIONS_PER_CALL));
            create(chunk, storage);
            registered.registered(chunk);
        }
    }

    private void create(List<LakePartition> partitions, StorageDescriptor storage) {
        List<PartitionInput> inputs = partitions.stream()
                .map(p -> PartitionInput.builder()
                        .values(p.values())
                        .storageDescriptor(storage.toBuilder().location(storage.location() + "/" + p.path()).build())
                        .build())
                .toList();
        BatchCreatePartitionResponse response;
        try {
            response = glue.batchCreatePartition(r -> r.databaseName(database).tableName(table)
                    .partitionInputList(inputs));
        } catch (SdkException e) {
            throw new CatalogException("cannot add " + inputs.size() + " partitions to Glue table " + tableName()
                    + ": " + e.getMessage(), e);
        }
        List<PartitionError> failures = response.errors().stream()
                .filter(error -> error.errorDetail() == null
                        || !"AlreadyExistsException".equals(error.errorDetail().errorCode()))
                .toList();
        if (!failures.isEmpty()) {
            throw new CatalogException("Glue refused " + failures.size() + " partitions of " + tableName() + ": "
                    + failures.stream().map(f -> f.partitionValues() + " "
                            + (f.errorDetail() == null ? "(no detail)" : f.errorDetail().errorCode() + ": "
                            + f.errorDetail().errorMessage())).toList());
        }
    }

    /**
     * The table's location and its registered partitions ({@code GetTable}, then {@code GetPartitions} page by
     * page), for readers that read the files the catalog lists rather than resolve the table through a Hive
     * metastore.
     *
     * @throws CatalogException when Glue cannot be reached, refuses, or lists a partition that is not an event
     *                          date and hour
     */
    public CatalogedFiles files() {
        try {
            String location = glue.getTable(r -> r.databaseName(database).name(table)).table().storageDescriptor().location();
            List<CatalogedFiles.Located> partitions = new ArrayList<>();
            List<Partition> listed = glue.getPartitionsPaginator(r -> r.databaseName(database).tableName(table)).stream()
                    .flatMap(page -> page.partitions().stream()).toList();
            for (Partition p : listed) {
                if (p.values().size() != 2) {
                    throw new CatalogException("Glue table " + tableName() + " has a partition with values " + p.values()
                            + "; expected " + LakeLayout.EVENT_DATE + " and " + LakeLayout.EVENT_HOUR);
                }
                LakePartition partition;
                try {
                    partition = new LakePartition(p.values().get(0), Integer.parseInt(p.values().get(1)));
                } catch (IllegalArgumentException e) {
                    throw new CatalogException("Glue table " + tableName() + " has a partition " + p.values()
                            + " that is not an event date and hour: " + e.getMessage(), e);
                }
                partitions.add(new CatalogedFiles.Located(partition, p.storageDescriptor().location()));
            }
            return new CatalogedFiles(location, partitions);
        } catch (SdkException e) {
            throw new CatalogException("cannot list the files of Glue table " + tableName() + ": " + e.getMessage(), e);
        }
    }

    static StorageDescriptor storage(EventSchema schema, String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("Glue table location is empty");
        }
        String trimmed = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        return StorageDescriptor.builder()
                .columns(columns(LakeLayout.dataColumns(schema)))
                .location(trimmed)
                .inputFormat(INPUT_FORMAT)
                .outputFormat(OUTPUT_FORMAT)
                .serdeInfo(SerDeInfo.builder().serializationLibrary(SERDE)
                        .parameters(Map.of("serialization.format", "1")).build())
                .build();
    }

    private static List<Column> columns(List<LakeLayout.Column> columns) {
        return columns.stream()
                .map(c -> Column.builder().name(c.name()).type(c.type().hiveName()).build())
                .toList();
    }

    private static String requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' must be 1-255 lower-case letters, digits and underscores");
        }
        return name;
    }

    @Override
    public void close() {
        glue.close();
    }
}
