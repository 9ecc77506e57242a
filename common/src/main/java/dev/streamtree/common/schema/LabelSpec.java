package dev.streamtree.common.schema;

import java.util.List;

/**
 * The label column: its name and its classes, in the order the model indexes them.
 */
public record LabelSpec(String name, List<String> classes) implements java.io.Serializable {

    public LabelSpec {
        SchemaNames.requireColumnName(name, "label name");
        classes = classes == null ? List.of() : List.copyOf(classes);
        if (classes.size() < 2) {
            throw new IllegalArgumentException("label '" + name + "' needs at least two classes, got " + classes);
        }
        if (classes.stream().distinct().count() != classes.size()) {
            throw new IllegalArgumentException("label '" + name + "' lists a class twice: " + classes);
        }
    }

    public int indexOf(String cls) {
        return classes.indexOf(cls);
    }
}
