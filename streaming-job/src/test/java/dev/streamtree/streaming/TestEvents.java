package dev.streamtree.streaming;

import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Valid Agrawal-schema events with a learnable label (A when age < 45 and salary >= 60000, else B). */
public final class TestEvents {

    private final EventSchema schema;
    private final Random random;
    private final Instant start;

    public TestEvents(EventSchema schema, long seed, Instant start) {
        this.schema = schema;
        this.random = new Random(seed);
        this.start = start;
    }

    /** The JSON of event {@code id}, {@code n} minutes after the start (so events spread over several hours). */
    public String json(String id, int n) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put(schema.idField(), id);
        event.put(schema.eventTimeField(), start.plusSeconds(60L * n).toString());
        for (Feature feature : schema.features()) {
            if (feature.isNumeric()) {
                double min = feature.min() == null ? 0 : feature.min();
                double max = feature.max() == null ? 1000 : feature.max();
                event.put(feature.name(), Math.floor(min + random.nextDouble() * (max - min)));
            } else {
                event.put(feature.name(), feature.values().get(random.nextInt(feature.values().size())));
            }
        }
        double age = (Double) event.get("age");
        double salary = (Double) event.get("salary");
        event.put(schema.label().name(), age < 45 && salary >= 60000 ? "A" : "B");
        try {
            return Json.mapper().writeValueAsString(event);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
