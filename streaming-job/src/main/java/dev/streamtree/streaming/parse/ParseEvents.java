package dev.streamtree.streaming.parse;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidatedEvent;
import dev.streamtree.common.event.ValidationResult;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;

/**
 * Runs on executors: validates each Kafka record and emits one row of {@link EventParsing#parsedSchema}. Never
 * throws for a record: whatever goes wrong becomes that record's error reason, so a poison record cannot stop
 * the query.
 */
final class ParseEvents implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final EventValidator validator;
    private final ParseCounts counts;
    private final int width;
    private final boolean labelled;
    private transient HourPartitions partitions;

    ParseEvents(EventValidator validator, ParseCounts counts) {
        this.validator = validator;
        this.counts = counts;
        this.width = EventParsing.parsedSchema(validator.schema()).size();
        this.labelled = validator.schema().labelSpec().isPresent();
    }

    @Override
    public Iterator<Row> call(Iterator<Row> records) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(records, Spliterator.ORDERED), false)
                .map(this::parse).iterator();
    }

    /** Input columns: key, value, topic, partition, offset (see {@link EventParsing#SOURCE_COLUMNS}). */
    Row parse(Row record) {
        byte[] key = (byte[]) record.get(0);
        byte[] value = (byte[]) record.get(1);
        ValidationResult result = EventParsing.validate(validator, key, value);
        // source columns, error, id, event time (epoch micros), features, label (if any), event_date, event_hour
        Object[] out = new Object[width];
        for (int i = 0; i < 5; i++) {
            out[i] = record.get(i);
        }
        if (result instanceof ValidationResult.Invalid invalid) {
            out[5] = invalid.reason();
            count(counts == null ? null : counts.refused());
            return RowFactory.create(out);
        }
        count(counts == null ? null : counts.valid());
        // The source bytes are kept for dead letters only: dropping them from valid rows halves what a batch caches.
        out[0] = null;
        out[1] = null;
        ValidatedEvent event = ((ValidationResult.Valid) result).event();
        if (partitions == null) {
            partitions = new HourPartitions();
        }
        LakePartition partition = partitions.of(event.eventTime());
        int i = 6;
        out[i++] = event.id();
        out[i++] = Math.addExact(Math.multiplyExact(event.eventTime().getEpochSecond(), 1_000_000L),
                event.eventTime().getNano() / 1_000L);
        for (Object feature : event.features()) {
            out[i++] = feature;
        }
        if (labelled) {
            out[i++] = event.label();
        }
        out[i++] = partition.eventDate();
        out[i] = partition.eventHour();
        return RowFactory.create(out);
    }

    private static void count(LongAccumulator accumulator) {
        if (accumulator != null) {
            accumulator.add(1);
        }
    }
}
