package dev.streamtree.notebooks;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks on the note's text that Zeppelin would otherwise only reveal when someone opens it. */
class StreamtreeNoteTest {

    /** A paragraph form, {@code ${name}} not preceded by another {@code $} (Zeppelin's {@code Input.VAR_PTN}). */
    private static final Pattern PARAGRAPH_FORM = Pattern.compile("(?<![$])[$][{][^}]*[}]");
    private static final Pattern NOTE_FORM = Pattern.compile("[$]{2}[{]([^=}]*)(?:=([^}]*))?[}]");

    private final ZeppelinNote note = read();

    private static ZeppelinNote read() {
        try {
            return ZeppelinNote.read(StreamtreeNoteIT.NOTE);
        } catch (Exception e) {
            throw new AssertionError("cannot read " + StreamtreeNoteIT.NOTE.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    @Test
    void scalaParagraphsAskZeppelinToFillTheNoteForms() {
        // Zeppelin fills $${...} in a Scala paragraph only when it runs with form=simple (Spark's default is native).
        assertThat(note.paragraphs()).allSatisfy(p -> {
            assertThat(p.interpreter()).as(p.title()).isIn("md", "sql", "spark");
            if (p.interpreter().equals("spark")) {
                assertThat(p.properties()).as(p.title()).isEqualTo("form=simple");
            }
        });
    }

    @Test
    void noParagraphHoldsAParagraphFormThatZeppelinWouldTurnIntoAnInputBox() {
        assertThat(note.paragraphs()).allSatisfy(p ->
                assertThat(PARAGRAPH_FORM.matcher(p.body()).results().map(java.util.regex.MatchResult::group).toList()).as(p.title()).isEmpty());
    }

    @Test
    void everyNoteFormHasOneDefaultAndNoneIsAMachinePath() {
        Map<String, String> defaults = new HashMap<>();
        for (ZeppelinNote.Paragraph p : note.paragraphs()) {
            Matcher m = NOTE_FORM.matcher(p.body());
            while (m.find()) {
                assertThat(m.group(2)).as("default of form '%s' in '%s'", m.group(1), p.title()).isNotBlank();
                String earlier = defaults.putIfAbsent(m.group(1), m.group(2));
                assertThat(earlier == null ? m.group(2) : earlier).as("default of form '%s' in '%s'", m.group(1), p.title())
                        .isEqualTo(m.group(2));
            }
        }
        assertThat(defaults).containsOnlyKeys("database", "table", "registry", "version", "id", "event_time", "label", "feature");
        assertThat(defaults.get("registry")).startsWith("s3://");
        assertThat(note.paragraphs()).allSatisfy(p ->
                assertThat(p.body()).as(p.title()).doesNotContain("/work", "/root", "/home", "/tmp", "file:"));
    }

    @Test
    void accuracyPerVersionIsSqlOverThePredictionsAndLabelsTables() {
        List<ZeppelinNote.Paragraph> accuracy = note.paragraphs().stream()
                .filter(p -> p.title().startsWith("Accuracy per model version")).toList();
        assertThat(accuracy).singleElement().satisfies(p -> {
            assertThat(p.interpreter()).isEqualTo("sql");
            assertThat(p.body()).contains(".predictions p", ".labels", "max_by(label, labelled_at)");
        });
    }
}
