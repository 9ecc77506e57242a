package dev.streamtree.streaming;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.lake.table.HourPartitions;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.lake.table.PredictionsTable;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.sink.PredictionHeaders;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Real-time mode's predictions landing, per record and without Spark: marked predictions land, others do not. */
class PredictionLandingPassTest {

    private static final Instant BATCH_TIME = Instant.parse("2024-03-01T06:00:00Z");

    @TempDir
    Path lakeRoot;
    private ParseCounts counts;
    private PredictionLandingPass pass;
    private LakeFileWriter lake;

    @BeforeEach
    void startPass() {
        counts = ParseCounts.unregistered();
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lakeRoot.toUri().toString(), null);
        Table table = SerializableTable.copyOf(PredictionsTable.ensure(tables, tables.catalog(new Configuration()),
                PredictionsTable.identifier("streamtree")));
        LakeTarget target = new LakeTarget(() -> table, "w1-7", 4);
        pass = new PredictionLandingPass(counts, target, new CollectionAccumulator<>(), "events.dlq", BATCH_TIME);
        lake = LakeFileWriter.open(target, 0, 1);
    }

    @Test
    void landsMarkedPredictionsSkipsUnmarkedOnesAndDeadLettersMarkedRecordsThatDoNotParse() {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("A", 0.75);
        probabilities.put("B", 0.25);
        Prediction realTime = new Prediction("e-1", "A", probabilities, "v000002", 0,
                Instant.parse("2024-03-01T05:30:00Z"), Instant.parse("2024-03-01T05:30:00.010Z"), null);
        Prediction microBatch = new Prediction("e-2", "B", probabilities, "v000001", 17,
                Instant.parse("2024-03-01T05:31:00Z"), Instant.parse("2024-03-01T05:31:02Z"), null);
        HourPartitions partitions = new HourPartitions();

        Row landed = pass.process(source("e-1", realTime.toJson(), PredictionHeaders.realTime(), 10), lake, partitions);
        Row skipped = pass.process(source("e-2", microBatch.toJson(), null, 11), lake, partitions);
        Row otherHeader = pass.process(source("e-2", microBatch.toJson(),
                new Row[]{RowFactory.create(PredictionHeaders.SCORING, "micro-batch".getBytes(StandardCharsets.UTF_8))}, 12),
                lake, partitions);
        Row dead = pass.process(source("e-3", "{\"event_id\":\"e-3\"}", PredictionHeaders.realTime(), 13), lake,
                partitions);
        List<DataFile> files = lake.finish();

        assertThat(landed).as("a landed prediction sends nothing").isNull();
        assertThat(skipped).as("a micro-batch prediction is its batch's to land").isNull();
        assertThat(otherHeader).isNull();
        assertThat(dead.getString(0)).isEqualTo("events.dlq");
        assertThat(new String((byte[]) dead.get(2), StandardCharsets.UTF_8)).isEqualTo("{\"event_id\":\"e-3\"}");
        Row[] headers = (Row[]) dead.get(3);
        assertThat(Arrays.stream(headers).filter(h -> h.getString(0).equals(DeadLetterHeaders.REASON))
                .map(h -> new String((byte[]) h.get(1), StandardCharsets.UTF_8)).findFirst().orElseThrow())
                .isEqualTo("real-time prediction cannot be landed in the predictions table: prediction has no 'probabilities'");
        assertThat(Arrays.stream(headers).filter(h -> h.getString(0).equals(DeadLetterHeaders.SOURCE_OFFSET))
                .map(h -> new String((byte[]) h.get(1), StandardCharsets.UTF_8)).findFirst().orElseThrow()).isEqualTo("13");
        assertThat(counts.valid().value()).as("landed").isEqualTo(1);
        assertThat(counts.refused().value()).as("dead letters").isEqualTo(1);
        assertThat(files).singleElement().satisfies(file -> {
            assertThat(file.recordCount()).isEqualTo(1);
            assertThat(file.location()).contains("/streamtree/predictions/data/");
        });
    }

    /**
     * A predictions-topic record as the pass reads it: key, value, headers (a Scala sequence, as the Kafka source's
     * rows hold them), topic, partition, offset.
     */
    private static Row source(String key, String value, Row[] headers, long offset) {
        return RowFactory.create(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                headers == null ? null : CollectionConverters.asScala(Arrays.asList(headers)).toSeq(), "predictions", 0,
                offset);
    }
}
