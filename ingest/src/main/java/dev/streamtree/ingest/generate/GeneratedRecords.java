package dev.streamtree.ingest.generate;

import dev.streamtree.ingest.source.SourceRecord;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A paced, bounded view of an {@link AgrawalGenerator} as records to send: stops after {@code count} records
 * (0 = unbounded), after {@code duration} (null = unbounded), or when {@code stop} says so.
 */
public final class GeneratedRecords implements Iterator<SourceRecord> {

    private final AgrawalGenerator generator;
    private final RatePacer pacer;
    private final long count;
    private final boolean bounded;
    private final long deadline;
    private final BooleanSupplier stop;
    private final Consumer<AgrawalGenerator.Event> onEvent;
    private final Labels labels;

    /** Whether the records carry their label. */
    public enum Labels {
        /** in the event, as generated */
        INLINE,
        /** left out of the event (the caller sends it later, e.g. with {@code DelayedLabels}) */
        WITHHELD
    }

    public GeneratedRecords(AgrawalGenerator generator, RatePacer pacer, long count, Duration duration,
                            BooleanSupplier stop, Consumer<AgrawalGenerator.Event> onEvent) {
        this(generator, pacer, count, duration, stop, onEvent, Labels.INLINE);
    }

    public GeneratedRecords(AgrawalGenerator generator, RatePacer pacer, long count, Duration duration,
                            BooleanSupplier stop, Consumer<AgrawalGenerator.Event> onEvent, Labels labels) {
        this.labels = labels;
        this.generator = generator;
        this.pacer = pacer;
        this.count = count;
        this.bounded = duration != null;
        this.deadline = bounded ? System.nanoTime() + duration.toNanos() : 0;
        this.stop = stop;
        this.onEvent = onEvent;
    }

    @Override
    public boolean hasNext() {
        return (count == 0 || generator.count() < count) && (!bounded || System.nanoTime() - deadline < 0) && !stop.getAsBoolean();
    }

    @Override
    public SourceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        pacer.awaitNext();
        AgrawalGenerator.Event event = generator.next();
        onEvent.accept(event);
        return SourceRecord.of("generated:" + event.id(), labels == Labels.INLINE ? event.json() : event.jsonWithoutLabel());
    }
}
