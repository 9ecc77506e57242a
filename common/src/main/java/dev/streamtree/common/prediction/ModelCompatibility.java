package dev.streamtree.common.prediction;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.schema.EventSchema;

import java.util.List;
import java.util.Optional;

/**
 * Whether a registry version may score events of a schema. A model trained on another schema (different
 * fingerprint), on other feature columns or with other label classes is refused before it is loaded.
 */
public final class ModelCompatibility {

    private ModelCompatibility() {
    }

    /** Why the model cannot score this schema's events, or empty when it can. */
    public static Optional<String> problem(EventSchema schema, ModelMetadata metadata) {
        if (!schema.fingerprint().equals(metadata.schemaFingerprint())) {
            return Optional.of("model was trained on schema fingerprint '" + metadata.schemaFingerprint()
                    + "' but the job runs schema '" + schema.name() + "' with fingerprint '" + schema.fingerprint() + "'");
        }
        if (!metadata.features().equals(schema.featureNames())) {
            return Optional.of("model features " + metadata.features() + " differ from the schema's features "
                    + schema.featureNames());
        }
        List<String> classes = schema.labelSpec().map(l -> l.classes()).orElse(List.of());
        if (!metadata.classes().equals(classes)) {
            return Optional.of("model classes " + metadata.classes() + " differ from the schema's classes " + classes);
        }
        return Optional.empty();
    }
}
