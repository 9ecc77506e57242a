package dev.streamtree.streaming.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bad-input corpus in {@code src/test/resources/bad-input/}: {@code manifest.jsonl} lists every record (its file,
 * Kafka key and defined outcome), the {@code .bin} files hold the value bytes. A {@code padTo} entry is grown at load
 * time by replacing {@code PAD} with {@code x} until the record has that many bytes (so a 10 MiB record needs no
 * 10 MiB file in the repository).
 */
final class BadInputCorpus {

    /** What must happen to a record. */
    enum Outcome { DEAD_LETTER, LAKE }

    /**
     * One corpus record.
     *
     * @param reason  for a dead letter, text its reason must contain
     * @param id      for a lake record, the event id
     * @param rows    for a lake record, how many lake rows carry that id once the whole corpus is in
     */
    record Entry(String name, byte[] key, byte[] value, Outcome outcome, String reason, String id, int rows, String rule) {

        String keyText() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    private static final String ROOT = "/bad-input/";

    private BadInputCorpus() {
    }

    static List<Entry> load() {
        List<Entry> entries = new ArrayList<>();
        for (String line : new String(resource("manifest.jsonl"), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = Json.mapper().readTree(line);
                byte[] value = node.path("file").isTextual() ? resource(node.get("file").asText()) : null;
                if (node.has("padTo")) {
                    value = pad(value, node.get("padTo").asInt());
                }
                byte[] key = node.path("key").isTextual() ? node.get("key").asText().getBytes(StandardCharsets.UTF_8) : null;
                Outcome outcome = node.get("outcome").asText().equals("lake") ? Outcome.LAKE : Outcome.DEAD_LETTER;
                entries.add(new Entry(node.get("name").asText(), key, value, outcome, node.path("reason").asText(null),
                        node.path("id").asText(null), node.path("rows").asInt(0), node.path("rule").asText("")));
            } catch (IOException e) {
                throw new UncheckedIOException("bad manifest line: " + line, e);
            }
        }
        return entries;
    }

    private static byte[] pad(byte[] value, int size) {
        String text = new String(value, StandardCharsets.UTF_8);
        int fill = size - (text.length() - "PAD".length());
        return text.replace("PAD", "x".repeat(fill)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) {
        try (InputStream in = BadInputCorpus.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + ROOT + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
