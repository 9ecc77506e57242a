package dev.streamtree.common.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaCodecTest {

    @Test
    void loadsTheBuiltInAgrawalSchema() {
        EventSchema schema = SchemaCodec.load("builtin:agrawal");
        assertThat(schema.featureNames())
                .containsExactly("salary", "commission", "age", "elevel", "car", "zipcode", "hvalue", "hyears", "loan");
        assertThat(schema.feature("car").orElseThrow().values()).hasSize(20);
        assertThat(schema.label().classes()).containsExactly("A", "B");
        assertThat(schema.columns()).startsWith("id", "event_time").endsWith("loan", "label");
    }

    @Test
    void roundTripsThroughCanonicalJsonWithAStableFingerprint(@TempDir Path dir) throws Exception {
        EventSchema schema = SchemaCodec.load("builtin:agrawal");
        Path file = dir.resolve("schema.json");
        Files.writeString(file, SchemaCodec.toJson(schema));
        EventSchema again = SchemaCodec.load(file.toString());
        assertThat(again).isEqualTo(schema);
        assertThat(again.fingerprint()).isEqualTo(schema.fingerprint()).hasSize(24);

        EventSchema changed = SchemaCodec.parse(SchemaCodec.toJson(schema).replace("\"B\"", "\"C\""), "test");
        assertThat(changed.fingerprint()).isNotEqualTo(schema.fingerprint());
    }

    @Test
    void namesWhatIsWrongWithABadSchema(@TempDir Path dir) {
        assertThatThrownBy(() -> SchemaCodec.load(dir.resolve("nope.json").toString()))
                .hasMessageContaining("nope.json' does not exist");
        assertThatThrownBy(() -> SchemaCodec.load("builtin:iris")).hasMessage("no built-in schema 'iris' (known: builtin:agrawal)");
        assertThatThrownBy(() -> SchemaCodec.parse("{\"name\":\"x\",\"idField\":\"id\",\"eventTimeField\":\"t\","
                + "\"features\":[{\"name\":\"f\",\"type\":\"text\"}]}", "s.json"))
                .hasMessage("schema s.json: feature 'f' has type 'text'; expected numeric or categorical");
        assertThatThrownBy(() -> SchemaCodec.parse("{\"name\":\"x\",\"idField\":\"id\",\"eventTimeField\":\"id\","
                + "\"features\":[{\"name\":\"f\",\"type\":\"numeric\"}]}", "s.json"))
                .hasMessage("schema s.json: schema 'x' uses the name 'id' twice");
        assertThatThrownBy(() -> SchemaCodec.parse("{\"name\":\"x\",\"idField\":\"id\",\"eventTimeField\":\"t\","
                + "\"features\":[{\"name\":\"event_date\",\"type\":\"numeric\"}]}", "s.json"))
                .hasMessageContaining("feature name 'event_date' is reserved");
        assertThatThrownBy(() -> SchemaCodec.parse("{\"name\":\"x\",\"idField\":\"id\",\"eventTimeField\":\"t\","
                + "\"features\":[{\"name\":\"c\",\"type\":\"categorical\",\"values\":[]}]}", "s.json"))
                .hasMessageContaining("categorical feature 'c' must list its allowed values");
        assertThatThrownBy(() -> SchemaCodec.parse("not json", "s.json")).hasMessageStartingWith("schema s.json is not valid JSON");
    }
}
