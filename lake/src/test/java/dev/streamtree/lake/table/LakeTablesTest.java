package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LakeTablesTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    @TempDir
    static Path lake;
    private static SparkSession spark;
    private static LakeTables tables;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("LakeTablesTest");
        tables = new LakeTables(CatalogKind.LOCAL, lake.toString(), null)
                .qualified(spark.sparkContext().hadoopConfiguration());
        tables.configure(spark);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void createsThePartitionedV2EventsTableOnceAndSparkReadsItByDatabaseAndTableName() throws Exception {
        Catalog catalog = tables.catalog(spark.sparkContext().hadoopConfiguration());
        TableIdentifier id = LakeTables.identifier("streamtree", "events");

        Table created = tables.ensureEventsTable(catalog, id, SCHEMA);
        Table again = tables.ensureEventsTable(catalog, id, SCHEMA);

        assertThat(again.uuid()).as("existing table returned, not recreated").isEqualTo(created.uuid());
        assertThat(created.spec().fields()).extracting(PartitionField::name).containsExactly("event_date", "event_hour");
        assertThat(created.spec().fields()).allMatch(f -> f.transform().isIdentity());
        assertThat(((HasTableOperations) created).operations().current().formatVersion()).isEqualTo(2);
        assertThat(created.properties())
                .containsEntry("write.parquet.compression-codec", "snappy")
                .containsEntry("write.target-file-size-bytes", "134217728")
                .containsEntry("write.metadata.delete-after-commit.enabled", "true");
        assertThat(created.schema().findField("id").isRequired()).isTrue();
        assertThat(created.schema().findField(SCHEMA.label().name()).isOptional()).isTrue();
        assertThat(created.schema().findType(SCHEMA.eventTimeField())).isEqualTo(Types.TimestampType.withZone());
        assertThat(Files.isDirectory(lake.resolve("streamtree/events/metadata"))).isTrue();

        Instant time = Instant.parse("2024-03-01T05:10:00Z");
        Row row = RowFactory.create("e-1", Timestamp.from(time), 50000.0, 0.0, 40.0, "1", "2", "3",
                100000.0, 10.0, 2000.0, "A", "2024-03-01", 5);
        spark.createDataFrame(List.of(row), LakeTable.sparkSchema(SCHEMA)).writeTo("streamtree.events").append();

        assertThat(spark.table("streamtree.events").select("id").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList()).containsExactly("e-1");
        assertThat(tables.load(catalog, id).currentSnapshot()).as("the append, seen through the catalog").isNotNull();
    }

    @Test
    void refusesNamesThatAreNotPlainLowerCaseIdentifiers() {
        assertThatThrownBy(() -> LakeTables.identifier("Bad-Db", "events")).hasMessageContaining("'Bad-Db'");
        assertThatThrownBy(() -> LakeTables.identifier("streamtree", "")).hasMessageContaining("table name ''");
    }

    @Test
    void glueNeedsARegionAndUsesS3FileIo() {
        assertThatThrownBy(() -> new LakeTables(CatalogKind.GLUE, "s3://b/lake", null))
                .hasMessageContaining("--glue-region");
        LakeTables glue = new LakeTables(CatalogKind.GLUE, "s3://b/lake/", "eu-west-1");
        assertThat(glue.sparkConf())
                .containsEntry("spark.sql.catalog.spark_catalog", "org.apache.iceberg.spark.SparkSessionCatalog")
                .containsEntry("spark.sql.catalog.spark_catalog.catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog")
                .containsEntry("spark.sql.catalog.spark_catalog.io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
                .containsEntry("spark.sql.catalog.spark_catalog.warehouse", "s3://b/lake")
                .containsEntry("spark.sql.catalog.spark_catalog.client.region", "eu-west-1");
        assertThat(glue.tableLocation(LakeTables.identifier("streamtree", "events")))
                .isEqualTo("s3://b/lake/streamtree/events");
    }
}
