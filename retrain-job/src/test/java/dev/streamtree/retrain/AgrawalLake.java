package dev.streamtree.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeBatches;
import dev.streamtree.lake.table.LakeJournal;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.common.catalog.CatalogKind;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import dev.streamtree.lake.table.LakeTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writes Agrawal events into the lake's Iceberg table {@code <database>.events} (local catalog) through the real
 * lake writer, each append one committed batch, one second apart in event time, continuing where the previous
 * append stopped.
 */
final class AgrawalLake {

    private final SparkSession spark;
    private final EventSchema schema;
    private final LakeBatchWriter writer;
    private Instant next;
    private long batch;

    AgrawalLake(SparkSession spark, EventSchema schema, String lake, String database, Instant start) {
        this.spark = spark;
        this.schema = schema;
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lake, null).qualified(spark.sparkContext().hadoopConfiguration());
        TableIdentifier events = LakeTables.identifier(database, "events");
        Table table = tables.ensureEventsTable(tables.catalog(spark.sparkContext().hadoopConfiguration()), events, schema);
        // The test commits each append itself: no timed commits.
        this.writer = LakeBatchWriter.start(table, LakeJournal.directory(tables, events, "test"), "test",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK);
        this.next = start;
    }

    /** Appends {@code n} events labelled by Agrawal function {@code function}. */
    List<Row> append(int n, int function, long seed) {
        return write(generate(n, function, seed));
    }

    /** Appends {@code n} events whose first {@code shuffled} rows carry randomly permuted labels. */
    List<Row> appendWithShuffledLabels(int n, int shuffled, int function, long seed) {
        List<Row> rows = generate(n, function, seed);
        List<Object> labels = new ArrayList<>();
        for (int i = 0; i < shuffled; i++) {
            labels.add(rows.get(i).get(labelIndex()));
        }
        Collections.shuffle(labels, new Random(seed));
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Object[] values = new Object[rows.get(i).size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = rows.get(i).get(c);
            }
            if (i < shuffled) {
                values[labelIndex()] = labels.get(i);
            }
            out.add(RowFactory.create(values));
        }
        return write(out);
    }

    private int labelIndex() {
        return schema.columns().size() - 1;
    }

    private List<Row> generate(int n, int function, long seed) {
        Instant first = next;
        Clock stepping = new Clock() {
            private Instant now = first;

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                Instant t = now;
                now = now.plusSeconds(1);
                return t;
            }
        };
        AgrawalGenerator generator = new AgrawalGenerator(seed, DriftPlan.none(function), 0.05, "f" + function + "s" + seed, stepping);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AgrawalGenerator.Event event = generator.next();
            rows.add(toRow(event));
        }
        next = first.plus(Duration.ofSeconds(n));
        return rows;
    }

    private Row toRow(AgrawalGenerator.Event event) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(event.json());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<Object> values = new ArrayList<>();
        values.add(event.id());
        values.add(Timestamp.from(event.eventTime()));
        for (Feature f : schema.features()) {
            values.add(f.isNumeric() ? node.get(f.name()).asDouble() : node.get(f.name()).asText());
        }
        values.add(event.label());
        LakePartition partition = LakePartition.of(event.eventTime());
        values.add(partition.eventDate());
        values.add(partition.eventHour());
        return RowFactory.create(values.toArray());
    }

    private List<Row> write(List<Row> rows) {
        Dataset<Row> df = spark.createDataFrame(rows, LakeTable.sparkSchema(schema)).cache();
        LakeBatches.writeAndCommit(writer, df, batch++);
        df.unpersist();
        return rows;
    }
}
