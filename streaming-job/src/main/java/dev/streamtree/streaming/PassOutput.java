package dev.streamtree.streaming;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A task's pass over its source rows ({@code I}), as its output rows ({@code O}): the non-null results of
 * {@code step}, in order; runs {@code last} once, when the last row has been taken (the micro-batch pass, on Spark's
 * internal rows; the landing passes and the real-time pass, on {@code Row}s).
 */
public final class PassOutput<I, O> implements Iterator<O> {

    private final Iterator<I> source;
    private final Function<I, O> step;
    private final Runnable last;
    private O next;
    private boolean finished;

    public PassOutput(Iterator<I> source, Function<I, O> step, Runnable last) {
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
    public O next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        O row = next;
        next = null;
        return row;
    }
}
