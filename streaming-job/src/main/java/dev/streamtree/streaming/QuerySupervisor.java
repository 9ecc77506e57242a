package dev.streamtree.streaming;

import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs a streaming query and starts it again, a bounded number of times, after a failure known to be safe to restart
 * from the checkpoint (in the job: Spark's Kafka metrics bug after a replay,
 * <a href="https://issues.apache.org/jira/browse/SPARK-55271">SPARK-55271</a>); any other failure ends it.
 *
 * <p>Lifecycle: {@link #start()} starts the first query and a daemon thread that waits for each query to end and
 * decides; {@link #awaitTermination()} returns when the query was stopped and throws as soon as the decision is final:
 * the failure that is not restartable, the last failure once the restarts are used up, or the exception that the
 * restart itself threw (the failure it was restarting from attached as suppressed). {@link #stop()} stops the current
 * query, also one a restart is starting at that moment.
 */
final class QuerySupervisor {

    private static final Logger LOG = LoggerFactory.getLogger(QuerySupervisor.class);

    private final Supplier<StreamingQuery> starter;
    private final Predicate<Throwable> restartable;
    private final int maxRestarts;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** Guards starting a query against stopping (so a restart never outlives {@link #stop()}). */
    private final Object lock = new Object();
    private volatile StreamingQuery query;
    private volatile int restarts;
    private boolean stopping;

    /**
     * @param starter     starts a query from the checkpoint; may throw
     * @param restartable the failures after which starting the query again is safe
     * @param maxRestarts restarts allowed in the supervisor's life
     */
    QuerySupervisor(Supplier<StreamingQuery> starter, Predicate<Throwable> restartable, int maxRestarts) {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("max restarts must not be negative, got " + maxRestarts);
        }
        this.starter = starter;
        this.restartable = restartable;
        this.maxRestarts = maxRestarts;
    }

    /** Starts the first query (throwing what the starter throws) and the thread that watches it. */
    StreamingQuery start() {
        StreamingQuery first;
        synchronized (lock) {
            first = starter.get();
            query = first;
        }
        Thread watcher = new Thread(() -> supervise(first), "streamtree-query-supervisor");
        watcher.setDaemon(true);
        watcher.start();
        return first;
    }

    /** The running query: a new one after each restart. */
    StreamingQuery query() {
        return query;
    }

    /** Completes when {@link #awaitTermination()} would return or throw. */
    CompletableFuture<Void> ending() {
        return ended;
    }

    /** Restarts so far. */
    int restarts() {
        return restarts;
    }

    private void supervise(StreamingQuery first) {
        StreamingQuery current = first;
        while (true) {
            StreamingQueryException failure;
            try {
                current.awaitTermination();
                ended.complete(null);
                return;
            } catch (StreamingQueryException e) {
                failure = e;
            } catch (Exception | Error e) {
                ended.completeExceptionally(e);
                return;
            }
            synchronized (lock) {
                if (stopping) {
                    ended.complete(null);
                    return;
                }
                if (!restartable.test(failure)) {
                    ended.completeExceptionally(failure);
                    return;
                }
                if (restarts >= maxRestarts) {
                    LOG.error("streaming query hit Spark's Kafka metrics bug (SPARK-55271) again after {} restarts; "
                            + "not restarting it", restarts);
                    ended.completeExceptionally(failure);
                    return;
                }
                restarts++;
                LOG.warn("streaming query hit Spark's Kafka metrics bug after replaying a batch (SPARK-55271, "
                        + "https://issues.apache.org/jira/browse/SPARK-55271); restarting it from the checkpoint "
                        + "(restart {} of at most {})", restarts, maxRestarts);
                try {
                    current = starter.get();
                } catch (RuntimeException | Error e) {
                    e.addSuppressed(failure);
                    LOG.error("restart {} of the streaming query failed: {}", restarts, e.getMessage(), e);
                    ended.completeExceptionally(e);
                    return;
                }
                query = current;
                LOG.info("streaming query restarted (run {})", current.runId());
            }
        }
    }

    /**
     * Blocks until the query has ended for good.
     *
     * @throws StreamingQueryException when a query failure ended it
     * @throws RuntimeException        what a restart threw
     */
    void awaitTermination() throws StreamingQueryException {
        try {
            ended.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StreamingQueryException failure) {
                throw failure;
            }
            if (cause instanceof RuntimeException failure) {
                throw failure;
            }
            if (cause instanceof Error failure) {
                throw failure;
            }
            throw new IllegalStateException("waiting for the streaming query failed: " + cause, cause);
        }
    }

    /**
     * Stops the current query and restarts no more.
     *
     * @throws TimeoutException when the query does not stop within Spark's stop timeout
     */
    void stop() throws TimeoutException {
        StreamingQuery current;
        synchronized (lock) {
            stopping = true;
            current = query;
        }
        if (current != null) {
            current.stop();
        }
    }
}
