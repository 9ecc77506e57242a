package dev.streamtree.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one table a benchmark run prints, and its JSON form. */
public final class ResultTable {

    private static final String[] HEADERS = {"part", "metric", "value", "unit", "baseline (same run)", "goal", "verdict"};

    private ResultTable() {
    }

    /** A fixed-width text table, one measurement per line. */
    public static String render(List<Measurement> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADERS);
        for (Measurement m : rows) {
            cells.add(new String[] {m.part(), m.metric(), format(m.value()), m.unit(), m.baseline(), m.goal(), m.verdict()});
        }
        int[] widths = new int[HEADERS.length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            appendRow(out, cells.get(r), widths);
            if (r == 0) {
                String[] rule = new String[widths.length];
                for (int i = 0; i < widths.length; i++) {
                    rule[i] = "-".repeat(widths[i]);
                }
                appendRow(out, rule, widths);
            }
        }
        return out.toString();
    }

    /** The same rows as a JSON array of objects (value as a number, met as true/false/null). */
    public static ArrayNode json(List<Measurement> rows) {
        ArrayNode array = Json.mapper().createArrayNode();
        for (Measurement m : rows) {
            ObjectNode node = array.addObject();
            node.put("part", m.part());
            node.put("metric", m.metric());
            node.put("value", Double.isFinite(m.value()) ? m.value() : null);
            node.put("unit", m.unit());
            node.put("baseline", m.baseline());
            node.put("goal", m.goal());
            if (m.met() == null) {
                node.putNull("met");
            } else {
                node.put("met", m.met());
            }
        }
        return array;
    }

    /** Numbers as people read them: integers without decimals, small values with up to three. */
    static String format(double value) {
        if (!Double.isFinite(value)) {
            return "n/a";
        }
        if (Math.abs(value) >= 100 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static void appendRow(StringBuilder out, String[] row, int[] widths) {
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                out.append(" | ");
            }
            boolean numeric = i == 2;
            String cell = row[i];
            String pad = " ".repeat(widths[i] - cell.length());
            out.append(numeric ? pad + cell : cell + pad);
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
        out.append('\n');
    }
}
