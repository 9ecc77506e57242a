package dev.streamtree.streaming;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeStaging;
import dev.streamtree.lake.table.HadoopConf;
import dev.streamtree.streaming.parse.HourPartitions;
import dev.streamtree.streaming.parse.ParseCounts;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pass's per-record routing, without Spark: valid events to the lake file, refused ones to dead letters. */
class BatchPassTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Instant BATCH_TIME = Instant.parse("2024-03-01T06:00:00Z");

    @TempDir
    Path staging;

    @Test
    void validEventGoesToTheLakeFileAndBadRecordToTheDeadLetterTopicWithoutAModel() {
        ParseCounts counts = new ParseCounts(new LongAccumulator(), new LongAccumulator());
        LakeStaging lakeStaging = new LakeStaging(staging.toUri().toString(), SCHEMA, new HadoopConf(new Configuration()));
        BatchPass pass = new BatchPass(new EventValidator(SCHEMA), counts, null, lakeStaging,
                new CollectionAccumulator<>(), "predictions", "events.dlq", BATCH_TIME);
        LakeFileWriter lake = LakeFileWriter.open(lakeStaging, 0, 1);
        HourPartitions partitions = new HourPartitions();
        String good = new TestEvents(SCHEMA, 1, Instant.parse("2024-03-01T05:30:00Z")).json("e-1", 0);

        Row scored = pass.process(source("e-1", good, 5), lake, partitions);
        Row dead = pass.process(source("e-2", "{\"id\":", 6), lake, partitions);
        List<String> files = lake.finish();

        assertThat(scored).as("no model: no prediction record").isNull();
        assertThat(dead.getString(0)).isEqualTo("events.dlq");
        assertThat(new String((byte[]) dead.get(2), StandardCharsets.UTF_8)).isEqualTo("{\"id\":");
        assertThat(counts.valid().value()).isEqualTo(1);
        assertThat(counts.refused().value()).isEqualTo(1);
        assertThat(files).containsExactly(new LakePartition("2024-03-01", 5).path() + "/part-0-1.parquet");
        assertThat(Files.isRegularFile(staging.resolve(files.get(0)))).isTrue();
    }

    private static Row source(String key, String value, long offset) {
        return RowFactory.create(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                "events", 0, offset);
    }
}
