package dev.streamtree.common.registry;

import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * A model version name, {@code v000001} onwards. Parsing rejects anything else, so a version given by a user
 * can never name a path outside the registry.
 */
public record VersionId(int number) implements Comparable<VersionId>, Serializable {

    private static final Pattern FORMAT = Pattern.compile("v(\\d{6})");

    public VersionId {
        if (number < 1 || number > 999_999) {
            throw new IllegalArgumentException("model version number must be 1..999999, got " + number);
        }
    }

    /**
     * Parses {@code v000042} (or a bare {@code 42}).
     *
     * @throws IllegalArgumentException naming the text when it is not a version
     */
    public static VersionId parse(String text) {
        if (text != null) {
            var m = FORMAT.matcher(text.trim());
            if (m.matches()) {
                return new VersionId(Integer.parseInt(m.group(1)));
            }
            if (text.trim().matches("\\d{1,6}")) {
                return new VersionId(Integer.parseInt(text.trim()));
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a model version (expected v000001 .. v999999)");
    }

    public VersionId next() {
        return new VersionId(number + 1);
    }

    @Override
    public int compareTo(VersionId other) {
        return Integer.compare(number, other.number);
    }

    @Override
    public String toString() {
        return String.format("v%06d", number);
    }
}
