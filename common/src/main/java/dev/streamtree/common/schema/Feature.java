package dev.streamtree.common.schema;

import java.util.List;
import java.util.Objects;

/**
 * One model input column.
 *
 * @param name   column name, also the JSON field name in events
 * @param type   numeric or categorical
 * @param values allowed values of a categorical feature, in a stable order (empty for numeric)
 * @param min    inclusive lower bound of a numeric feature, or null for none
 * @param max    inclusive upper bound of a numeric feature, or null for none
 */
public record Feature(String name, FeatureType type, List<String> values, Double min, Double max)
        implements java.io.Serializable {

    public Feature {
        SchemaNames.requireColumnName(name, "feature name");
        Objects.requireNonNull(type, () -> "feature '" + name + "': type is required");
        values = values == null ? List.of() : List.copyOf(values);
        if (type == FeatureType.CATEGORICAL && values.isEmpty()) {
            throw new IllegalArgumentException("categorical feature '" + name + "' must list its allowed values");
        }
        if (type == FeatureType.NUMERIC && !values.isEmpty()) {
            throw new IllegalArgumentException("numeric feature '" + name + "' must not list values");
        }
        if (values.stream().distinct().count() != values.size()) {
            throw new IllegalArgumentException("categorical feature '" + name + "' lists a value twice: " + values);
        }
        if (min != null && max != null && min > max) {
            throw new IllegalArgumentException("feature '" + name + "': min " + min + " is greater than max " + max);
        }
    }

    public static Feature numeric(String name, Double min, Double max) {
        return new Feature(name, FeatureType.NUMERIC, List.of(), min, max);
    }

    public static Feature categorical(String name, List<String> values) {
        return new Feature(name, FeatureType.CATEGORICAL, values, null, null);
    }

    public boolean isNumeric() {
        return type == FeatureType.NUMERIC;
    }

    /**
     * A value this feature accepts at fraction {@code u} (in [0, 1)) of its range (a {@link Double}; a missing bound
     * taken as 0, or as the minimum plus 1) or of its categories (a {@link String}); for synthetic rows, such as the
     * jobs' start-up warm-ups.
     */
    public Object valueAt(double u) {
        if (isNumeric()) {
            double low = min == null ? 0 : min;
            double high = max == null ? low + 1 : max;
            return low + u * (high - low);
        }
        return values.get((int) (u * values.size()));
    }
}
