package dev.streamtree.streaming;

import org.apache.spark.sql.streaming.StreamingQueryException;
import scala.Option;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Waits in integration tests for a condition on an in-process {@link StreamingJob}, failing fast if its query fails. */
public final class JobAwait {

    private JobAwait() {
    }

    /**
     * Polls {@code condition} every 250 ms; fails the test as soon as the job's query has failed, or with the job's
     * status once {@code timeout} has passed.
     */
    public static void until(StreamingJob job, Duration timeout, String what, BooleanSupplier condition)
            throws InterruptedException {
        until(job, timeout, what, failure -> false, condition);
    }

    /**
     * As {@link #until(StreamingJob, Duration, String, BooleanSupplier)}, but keeps waiting through a query failure
     * that {@code tolerated} accepts (the job restarts its query after those).
     */
    public static void until(StreamingJob job, Duration timeout, String what, Predicate<Throwable> tolerated,
                             BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            Option<StreamingQueryException> failure = job.query().exception();
            assertThat(failure.isEmpty() || tolerated.test(failure.get())).as("query failed: " + failure).isTrue();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; status " + job.status().summary());
            }
            Thread.sleep(250);
        }
    }
}
