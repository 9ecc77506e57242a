package dev.streamtree.streaming.progress;

import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Feeds Spark's progress reports of one query (by name) into a {@link StatusBoard} and logs the board at most
 * once per interval: input and processed rows/s, batch duration, consumer lag, model version, dead letters.
 */
public final class ProgressListener extends StreamingQueryListener {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressListener.class);

    private final String queryName;
    private final StatusBoard board;
    private final Duration logInterval;
    private final Clock clock;
    private final java.util.function.Function<StreamingStatus, String> line;
    private volatile Instant lastLog = Instant.EPOCH;
    private volatile UUID queryId;

    public ProgressListener(String queryName, StatusBoard board, Duration logInterval, Clock clock) {
        this(queryName, board, logInterval, clock, StreamingStatus::summary);
    }

    /** @param line formats the board's snapshot for the periodic log line */
    public ProgressListener(String queryName, StatusBoard board, Duration logInterval, Clock clock,
                            java.util.function.Function<StreamingStatus, String> line) {
        this.line = line;
        this.queryName = queryName;
        this.board = board;
        this.logInterval = logInterval;
        this.clock = clock;
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
        if (queryName.equals(event.name())) {
            queryId = event.id();
            board.state("running");
            LOG.info("streaming query {} started (id {}, run {})", event.name(), event.id(), event.runId());
        }
    }

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
        StreamingQueryProgress progress = event.progress();
        if (!queryName.equals(progress.name())) {
            return;
        }
        List<ConsumerLag.PartitionLag> lags = new ArrayList<>();
        for (SourceProgress source : progress.sources()) {
            ConsumerLag.perPartition(source.endOffset(), source.latestOffset()).ifPresent(lags::addAll);
        }
        board.progress(finite(progress.inputRowsPerSecond()), finite(progress.processedRowsPerSecond()), lags);
        Instant now = clock.instant();
        if (Duration.between(lastLog, now).compareTo(logInterval) >= 0) {
            lastLog = now;
            LOG.info("{}", line.apply(board.snapshot()));
        }
    }

    @Override
    public void onQueryIdle(QueryIdleEvent event) {
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
        if (!event.id().equals(queryId)) {
            return;
        }
        if (event.exception().isDefined()) {
            board.state("failed: " + event.exception().get().lines().findFirst().orElse(""));
        } else {
            board.state("stopped");
        }
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0.0;
    }
}
