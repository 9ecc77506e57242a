package dev.streamtree.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Zeppelin note ({@code .zpln}, the JSON Zeppelin 0.10 and 0.11 store and import) read as its paragraphs, with
 * Zeppelin's form templates filled in the way Zeppelin fills them before it runs a paragraph.
 */
record ZeppelinNote(String name, List<Paragraph> paragraphs) {

    /**
     * Zeppelin's note-form template, {@code $${name=default}}, as its {@code Input.VAR_NOTE_PTN} matches it: an
     * underscore just before it (a hidden form) is part of the match, and replaced with it.
     */
    private static final Pattern NOTE_FORM = Pattern.compile("_?[$]{2}[{]([^=}]*)(?:=([^}]*))?[}]");
    /** The first line's interpreter: {@code %sql}, {@code %spark(form=simple)}, {@code %md}. */
    private static final Pattern INTERPRETER = Pattern.compile("%([A-Za-z0-9_.]+)(?:\\(([^)]*)\\))?");

    /** One paragraph: its title, interpreter name (as written after {@code %}) and the code after that line. */
    record Paragraph(String title, String interpreter, String properties, String body) {

        /**
         * The body with each note form replaced by {@code values}' entry, or by the form's default when
         * {@code values} has none, as Zeppelin does for a form nobody has set.
         *
         * @throws IllegalArgumentException when a form has neither a value nor a default
         */
        String filled(Map<String, String> values) {
            Matcher m = NOTE_FORM.matcher(body);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = values.containsKey(m.group(1)) ? values.get(m.group(1)) : m.group(2);
                if (value == null) {
                    throw new IllegalArgumentException("paragraph '" + title + "': form '" + m.group(1)
                            + "' has no value and no default");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }

        /** The note forms the paragraph uses, by name. */
        List<String> forms() {
            List<String> names = new ArrayList<>();
            Matcher m = NOTE_FORM.matcher(body);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }
    }

    static ZeppelinNote read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        List<Paragraph> paragraphs = new ArrayList<>();
        for (JsonNode p : root.required("paragraphs")) {
            String text = p.required("text").asText();
            int newline = text.indexOf('\n');
            String first = (newline < 0 ? text : text.substring(0, newline)).trim();
            Matcher m = INTERPRETER.matcher(first);
            if (!m.matches()) {
                throw new IllegalArgumentException("paragraph '" + p.path("title").asText() + "' does not start with "
                        + "%interpreter but with '" + first + "'");
            }
            paragraphs.add(new Paragraph(p.path("title").asText(), m.group(1), m.group(2) == null ? "" : m.group(2),
                    newline < 0 ? "" : text.substring(newline + 1)));
        }
        return new ZeppelinNote(root.required("name").asText(), List.copyOf(paragraphs));
    }
}
