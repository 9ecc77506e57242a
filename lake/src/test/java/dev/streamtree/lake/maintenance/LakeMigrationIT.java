package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code lake migrate} against real local Spark: a lake of the old Hive layout, written as the old job wrote it
 * (Parquet under {@code event_date=/event_hour=}, the event time as INT64 micros, bookkeeping under
 * {@code _streamtree/}), imported into an Iceberg events table in one snapshot.
 */
class LakeMigrationIT {

    private static final Instant START = Instant.parse("2024-09-01T22:00:00Z");
    private static SparkSession spark;

    @TempDir
    Path work;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("LakeMigrationIT");
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void importsEveryRowOfAHiveLayoutLakeOnceInOneSnapshotAndRefusesASecondRun() throws IOException {
        Path old = work.resolve("old-lake");
        // 1,200 events over 22:00-01:59 (4 hours, across midnight), as the old job's partitions held them.
        Dataset<Row> rows = IcebergLakes.rows(spark, 0, 1200, START, Duration.ofSeconds(12));
        rows.write().partitionBy(LakeLayout.EVENT_DATE, LakeLayout.EVENT_HOUR).parquet(old.toString());
        // A staged file of an uncommitted batch, under the bookkeeping directory: never part of the lake.
        Path staged = old.resolve("_streamtree/staging/w1/batch-00000000000000000009");
        Files.createDirectories(staged);
        try (Stream<Path> files = Files.walk(old.resolve("event_date=2024-09-01"))) {
            Path one = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
            Files.copy(one, staged.resolve("stray.parquet"));
        }
        Table table = IcebergLakes.create(work.resolve("warehouse"), "migrated");
        LakeMigration migration = new LakeMigration(spark, Clock.systemUTC());

        LakeMigration.Result dry = migration.migrate(table, IcebergLakes.SCHEMA, old.toString(), true);
        table.refresh();
        assertThat(dry.rows()).isEqualTo(1200);
        assertThat(dry.partitions()).as("hours 22, 23, 00, 01").isEqualTo(4);
        assertThat(table.currentSnapshot()).as("a dry run writes nothing").isNull();

        LakeMigration.Result done = migration.migrate(table, IcebergLakes.SCHEMA, old.toString(), false);
        table.refresh();
        assertThat(done.rows()).isEqualTo(1200);
        assertThat(table.currentSnapshot().snapshotId()).isEqualTo(done.snapshotId());
        assertThat(table.currentSnapshot().summary()).containsEntry(LakeMigration.MIGRATED_FROM, done.from())
                .containsEntry("added-records", "1200");
        assertThat(IcebergLakes.ids(spark, table)).as("every row once, the staged one not")
                .isEqualTo(rows.select(IcebergLakes.SCHEMA.idField()).orderBy(IcebergLakes.SCHEMA.idField())
                        .collectAsList().stream().map(r -> r.getString(0)).toList());
        String name = IcebergLakes.sparkName(spark, table);
        List<Row> mismatched = spark.table(name).alias("t")
                .join(rows.alias("o"), org.apache.spark.sql.functions.col("t.id")
                        .equalTo(org.apache.spark.sql.functions.col("o.id")))
                .where("t.event_time <> o.event_time or t.event_date <> o.event_date or t.event_hour <> o.event_hour "
                        + "or t.salary <> o.salary or t.car <> o.car or not (t.label <=> o.label)")
                .collectAsList();
        assertThat(mismatched).as("values, event times and partitions as written").isEmpty();

        assertThatThrownBy(() -> migration.migrate(table, IcebergLakes.SCHEMA, old.toString(), false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already migrated")
                .hasMessageContaining(Long.toString(done.snapshotId()));
        table.refresh();
        assertThat(table.currentSnapshot().snapshotId()).as("nothing added by the refused run").isEqualTo(done.snapshotId());
    }

    @Test
    void rowsWithANullOutsideTheLabelAreRefusedAndNothingIsWritten() {
        Path old = work.resolve("old-with-null");
        org.apache.spark.sql.Column id = org.apache.spark.sql.functions.col(IcebergLakes.SCHEMA.idField());
        IcebergLakes.rows(spark, 0, 100, START, Duration.ofSeconds(12))
                .withColumn("salary", org.apache.spark.sql.functions.when(id.equalTo("e-3"),
                        org.apache.spark.sql.functions.lit(null).cast("double"))
                        .otherwise(org.apache.spark.sql.functions.col("salary")))
                .write().partitionBy(LakeLayout.EVENT_DATE, LakeLayout.EVENT_HOUR).parquet(old.toString());
        Table table = IcebergLakes.create(work.resolve("warehouse"), "nulls");

        assertThatThrownBy(() -> new LakeMigration(spark, Clock.systemUTC())
                .migrate(table, IcebergLakes.SCHEMA, old.toString(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("1 rows under ")
                .hasMessageContaining("nothing migrated");
        table.refresh();
        assertThat(table.currentSnapshot()).isNull();
    }

    @Test
    void aDirectoryWithoutHourPartitionsIsRefusedByName() throws IOException {
        Path notALake = Files.createDirectories(work.resolve("events"));
        Table table = IcebergLakes.create(work.resolve("warehouse"), "refused");
        assertThatThrownBy(() -> new LakeMigration(spark, Clock.systemUTC())
                .migrate(table, IcebergLakes.SCHEMA, notALake.toString(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event_date=YYYY-MM-DD");
    }
}
