package dev.streamtree.ingest.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads one JSON record per line, as raw bytes so a record reaches Kafka byte for byte as it was written
 * (and invalid UTF-8 is caught by the validator, not silently replaced). Lines end at {@code \n}; a trailing
 * {@code \r} is dropped; blank lines are skipped.
 */
public final class JsonLines implements Iterator<SourceRecord> {

    private final InputStream in;
    private final String name;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    private int lineNumber;
    private SourceRecord next;

    public JsonLines(InputStream in, String name) {
        this.in = in instanceof java.io.BufferedInputStream ? in : new java.io.BufferedInputStream(in, 1 << 16);
        this.name = name;
        advance();
    }

    private void advance() {
        try {
            while (true) {
                line.reset();
                int b;
                boolean any = false;
                while ((b = in.read()) != -1 && b != '\n') {
                    line.write(b);
                    any = true;
                }
                if (b == -1 && !any) {
                    next = null;
                    return;
                }
                lineNumber++;
                byte[] bytes = line.toByteArray();
                int length = bytes.length;
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
                if (!isBlank(bytes, length)) {
                    next = SourceRecord.of(name + ":" + lineNumber, java.util.Arrays.copyOf(bytes, length));
                    return;
                }
                if (b == -1) {
                    next = null;
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " after line " + lineNumber, e);
        }
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
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
