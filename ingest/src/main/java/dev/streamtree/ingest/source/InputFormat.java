package dev.streamtree.ingest.source;

import java.util.Locale;

/** How an input file is laid out. */
public enum InputFormat {
    /** One JSON object per line; blank lines are skipped. */
    JSONL,
    /** A header row naming schema fields, then one record per row; see {@link CsvRecords}. */
    CSV;

    /** Picks the format from a file name: {@code .csv} is CSV, anything else JSONL. */
    public static InputFormat forFileName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".csv") ? CSV : JSONL;
    }
}
