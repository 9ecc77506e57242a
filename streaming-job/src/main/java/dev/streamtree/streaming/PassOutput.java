package dev.streamtree.streaming;

import org.apache.spark.sql.Row;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A task's pass over its source rows, as its output: the non-null results of {@code step}, in order; runs
 * {@code last} once, when the last row has been taken (the micro-batch pass, the landing passes and the real-time pass).
 */
public final class PassOutput implements Iterator<Row> {

    private final Iterator<Row> source;
    private final Function<Row, Row> step;
    private final Runnable last;
    private Row next;
    private boolean finished;

    public PassOutput(Iterator<Row> source, Function<Row, Row> step, Runnable last) {
        this.source = source;
        this.step = step;
        this.last = last;
    }

    @Override
    public boolean hasNext() {
        while (next == null && source.hasNext()) {
            next = step.apply(source.next());
        }
        if (next != null) {
            return true;
        }
        if (!finished) {
            finished = true;
            last.run();
        }
        return false;
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Row row = next;
        next = null;
        return row;
    }
}
