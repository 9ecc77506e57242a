package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Task attempts that fail halfway through their lake file, on a local Spark that retries failed tasks. */
class LakeTaskRetryTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static SparkSession spark;

    @TempDir
    Path lake;

    @BeforeAll
    static void startSpark() {
        // local[2,3]: two threads, and a failed task is tried up to three times, as on a cluster.
        spark = TestSpark.local("LakeTaskRetryTest", "local[2,3]");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void aTaskThatFailsMidFileIsRetriedAndItsRowsLandOnce() throws Exception {
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lake.toString(), null)
                .qualified(spark.sparkContext().hadoopConfiguration());
        TableIdentifier id = LakeTables.identifier("streamtree", "events");
        Table events = tables.ensureEventsTable(tables.catalog(spark.sparkContext().hadoopConfiguration()), id, SCHEMA);
        LakeBatchWriter writer = LakeBatchWriter.start(events, LakeJournal.directory(tables, id, "r1"), "r1",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK);
        Dataset<Row> rows = spark.createDataFrame(rows(40), LakeTable.sparkSchema(SCHEMA)).repartition(2)
                .mapPartitions(new FailFirstAttemptAfter(5), Encoders.row(LakeTable.sparkSchema(SCHEMA)));

        AtomicInteger failedAttempts = new AtomicInteger();
        SparkListener failures = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                if (!taskEnd.taskInfo().successful()) {
                    failedAttempts.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(failures);
        LakeCommit commit;
        try {
            commit = LakeBatches.writeAndCommit(writer, rows, 0);
        } finally {
            writer.close();
            spark.sparkContext().listenerBus().waitUntilEmpty();
            spark.sparkContext().removeSparkListener(failures);
        }

        assertThat(failedAttempts.get()).as("first attempts that failed halfway").isEqualTo(2);

        tables.configure(spark);
        Dataset<Row> table = spark.table("streamtree.events");
        assertThat(table.count()).isEqualTo(40);
        assertThat(table.select("id").distinct().count()).isEqualTo(40);
        assertThat(commit.files()).isEqualTo(2);
        try (Stream<Path> files = Files.walk(lake)) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet"))).as("failed attempts' files deleted").hasSize(2);
        }
    }

    /** Throws in a partition's first attempt after {@code rows} rows went through, so its lake file is half written. */
    private record FailFirstAttemptAfter(int rows) implements MapPartitionsFunction<Row, Row> {

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            boolean fail = TaskContext.get().attemptNumber() == 0;
            return new Iterator<>() {
                private int taken;

                @Override
                public boolean hasNext() {
                    if (fail && taken == rows) {
                        throw new IllegalStateException("injected failure of the first attempt");
                    }
                    return input.hasNext();
                }

                @Override
                public Row next() {
                    taken++;
                    return input.next();
                }
            };
        }
    }

    private static List<Row> rows(int count) {
        List<Row> rows = new ArrayList<>();
        Instant time = Instant.parse("2024-03-01T00:10:00Z");
        LakePartition partition = LakePartition.of(time);
        for (int i = 0; i < count; i++) {
            rows.add(RowFactory.create("e-" + i, Timestamp.from(time), 50000.0, 0.0, 40.0, "1", "2", "3",
                    100000.0, 10.0, 2000.0, "A", partition.eventDate(), partition.eventHour()));
        }
        return rows;
    }
}
