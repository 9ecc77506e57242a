package dev.streamtree.ingest.send;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.ingest.source.SourceRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventSenderTest {

    @Test
    void sendsValidRecordsKeyedByIdAndAccountsForEveryOtherOne() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        EventValidator validator = new EventValidator(SchemaCodec.load("builtin:agrawal"));
        AgrawalGenerator generator = new AgrawalGenerator(5, DriftPlan.none(1), 0.05, "u", Clock.systemUTC());
        List<SourceRecord> input = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            input.add(SourceRecord.of("gen:" + i, generator.next().json()));
        }
        input.add(3, SourceRecord.of("in:bad", "{\"id\":"));
        input.add(SourceRecord.unreadable("in.csv:9", "CSV row has 3 cells but the header has 5"));
        List<Rejection> seen = new ArrayList<>();

        SendReport report = new EventSender(producer, validator, "events", seen::add).send(input.iterator());

        assertThat(report.read()).isEqualTo(12);
        assertThat(report.sent()).isEqualTo(10);
        assertThat(report.rejected()).isEqualTo(2);
        assertThat(report.complete()).isFalse();
        assertThat(seen).extracting(Rejection::origin).containsExactly("in:bad", "in.csv:9");
        assertThat(seen.get(0).reason()).startsWith("malformed JSON");
        assertThat(producer.history()).hasSize(10);
        assertThat(producer.history()).allSatisfy(r -> assertThat(new String(r.value())).contains("\"id\":\"" + r.key() + "\""));
    }

    @Test
    void countsBrokerFailuresWithTheirReason() {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                completeNext();
                errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too big"));
            }
        };
        EventValidator validator = new EventValidator(SchemaCodec.load("builtin:agrawal"));
        AgrawalGenerator generator = new AgrawalGenerator(5, DriftPlan.none(1), 0.05, "u", Clock.systemUTC());
        List<SourceRecord> input = List.of(SourceRecord.of("gen:0", generator.next().json()), SourceRecord.of("gen:1", generator.next().json()));
        List<Rejection> seen = new ArrayList<>();

        SendReport report = new EventSender(producer, validator, "events", seen::add).send(input.iterator());

        assertThat(report.sent()).isEqualTo(1);
        assertThat(report.failed()).isEqualTo(1);
        assertThat(seen).singleElement().satisfies(r -> assertThat(r.reason())
                .isEqualTo("broker refused event 'u-1': RecordTooLargeException: too big"));
    }
}
