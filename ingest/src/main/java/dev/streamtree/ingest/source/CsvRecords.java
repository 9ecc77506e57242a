package dev.streamtree.ingest.source;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads CSV (RFC 4180 quoting, comma separated, header row first) and turns each row into a JSON object the
 * validator can check. Cells of numeric features that parse as numbers become JSON numbers; every other cell
 * stays a string, so a non-numeric salary is refused by the validator with the usual reason. An empty cell is
 * an absent field. A row whose cell count differs from the header's becomes a record the validator refuses
 * (its JSON names the problem), so it is reported, not dropped.
 */
public final class CsvRecords implements Iterator<SourceRecord> {

    private final BufferedReader reader;
    private final String name;
    private final EventSchema schema;
    private final List<String> header;
    private int lineNumber;
    private SourceRecord next;

    public CsvRecords(BufferedReader reader, String name, EventSchema schema) {
        this.reader = reader;
        this.name = name;
        this.schema = schema;
        List<String> head = readRow();
        if (head == null) {
            throw new IllegalArgumentException(name + " is empty: a CSV input needs a header row");
        }
        this.header = head.stream().map(String::trim).toList();
        if (!header.contains(schema.idField())) {
            throw new IllegalArgumentException(name + ": CSV header " + header + " has no '" + schema.idField()
                    + "' column (the event id)");
        }
        advance();
    }

    private void advance() {
        List<String> row;
        do {
            row = readRow();
        } while (row != null && row.size() == 1 && row.get(0).isBlank());
        if (row == null) {
            next = null;
        } else if (row.size() != header.size()) {
            next = SourceRecord.unreadable(name + ":" + lineNumber,
                    "CSV row has " + row.size() + " cells but the header has " + header.size());
        } else {
            next = SourceRecord.of(name + ":" + lineNumber, toJson(row));
        }
    }

    private String toJson(List<String> row) {
        ObjectNode node = Json.mapper().createObjectNode();
        for (int i = 0; i < header.size(); i++) {
            String cell = row.get(i);
            if (cell.isEmpty()) {
                continue;
            }
            String column = header.get(i);
            boolean numeric = schema.feature(column).map(Feature::isNumeric).orElse(false);
            if (numeric || column.equals(schema.eventTimeField())) {
                BigDecimal number = parseNumber(cell.trim());
                if (number != null) {
                    node.put(column, number);
                    continue;
                }
            }
            node.put(column, cell);
        }
        return node.toString();
    }

    private static BigDecimal parseNumber(String cell) {
        if (!cell.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return null;
        }
        return new BigDecimal(cell);
    }

    /** Reads one logical row, following quoted cells across line breaks; null at end of input. */
    private List<String> readRow() {
        try {
            String line = reader.readLine();
            if (line == null) {
                return null;
            }
            lineNumber++;
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            int i = 0;
            while (true) {
                if (i >= line.length()) {
                    if (quoted) {
                        String more = reader.readLine();
                        if (more == null) {
                            throw new IllegalArgumentException(name + ":" + lineNumber + ": unterminated quoted CSV cell");
                        }
                        lineNumber++;
                        cell.append('\n');
                        line = more;
                        i = 0;
                        continue;
                    }
                    cells.add(cell.toString());
                    return cells;
                }
                char c = line.charAt(i++);
                if (quoted) {
                    if (c == '"') {
                        if (i < line.length() && line.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        cell.append(c);
                    }
                } else if (c == '"' && cell.length() == 0) {
                    quoted = true;
                } else if (c == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else {
                    cell.append(c);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " at line " + lineNumber, e);
        }
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public SourceRecord next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        SourceRecord record = next;
        advance();
        return record;
    }
}
