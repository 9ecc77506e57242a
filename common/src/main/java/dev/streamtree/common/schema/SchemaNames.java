package dev.streamtree.common.schema;

import java.util.Set;
import java.util.regex.Pattern;

/** Rules for column names, shared by every schema element. */
final class SchemaNames {

    private static final Pattern COLUMN = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    /** Names the lake and the jobs add themselves; a schema cannot use them. */
    static final Set<String> RESERVED = Set.of("event_date", "event_hour", "ingested_at");

    private SchemaNames() {
    }

    static void requireColumnName(String name, String what) {
        if (name == null || !COLUMN.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name
                    + "' must be lower-case letters, digits and underscores, starting with a letter, at most 63 characters");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException(what + " '" + name + "' is reserved by the lake layout " + RESERVED);
        }
    }
}
