package dev.streamtree.ingest.source;

import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputReadersTest {

    private static List<SourceRecord> all(java.util.Iterator<SourceRecord> it) {
        List<SourceRecord> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void jsonLinesKeepsBytesExactlySkipsBlankLinesAndStripsCrlf() {
        byte[] input = "{\"a\":\"é\"}\r\n\n  \n{\"b\":1}\n\u00ff".getBytes(StandardCharsets.UTF_8);
        List<SourceRecord> records = all(new JsonLines(new ByteArrayInputStream(input), "in.jsonl"));
        assertThat(records).extracting(SourceRecord::origin).containsExactly("in.jsonl:1", "in.jsonl:4", "in.jsonl:5");
        assertThat(records.get(0).value()).isEqualTo("{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(records.get(2).value()).isEqualTo("\u00ff".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void csvTypesNumericColumnsQuotesCellsAndReportsRaggedRows() {
        String csv = """
                id,event_time,salary,car,label
                e1,2026-11-25T09:00:00Z,50000,"7",A
                "e,2",1764064740000,abc,3,
                e3,2026-11-25T09:00:00Z,1
                """;
        List<SourceRecord> records = all(new CsvRecords(new BufferedReader(new StringReader(csv)), "in.csv",
                SchemaCodec.load("builtin:agrawal")));
        assertThat(records).hasSize(3);
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"e1\",\"event_time\":\"2026-11-25T09:00:00Z\",\"salary\":50000,\"car\":\"7\",\"label\":\"A\"}");
        assertThat(new String(records.get(1).value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"e,2\",\"event_time\":1764064740000,\"salary\":\"abc\",\"car\":\"3\"}");
        assertThat(records.get(2).problem()).isEqualTo("CSV row has 3 cells but the header has 5");
        assertThat(records.get(2).origin()).isEqualTo("in.csv:4");
    }

    @Test
    void csvWithoutAnIdColumnIsRefusedUpFront() {
        assertThatThrownBy(() -> new CsvRecords(new BufferedReader(new StringReader("a,b\n1,2\n")), "x.csv",
                SchemaCodec.load("builtin:agrawal")))
                .hasMessage("x.csv: CSV header [a, b] has no 'id' column (the event id)");
    }
}
