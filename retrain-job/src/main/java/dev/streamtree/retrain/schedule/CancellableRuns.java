package dev.streamtree.retrain.schedule;

import dev.streamtree.retrain.RetrainException;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * Runs retrains one at a time, each in a Spark job group of its own, so that a running one can be cancelled (the
 * scheduler cancels a timer retrain when a drift is detected: it reads across the change and would hold the worker).
 *
 * <p>A retrain's search runs fits on threads of its own, which can start jobs after the cancel, so the group's future
 * jobs are cancelled too ({@link SparkContext#cancelJobGroupAndFutureJobs}), not only its running ones. A run whose
 * Spark work had already ended when the cancel came finishes normally: cancelling is best-effort, and a retrain
 * that finishes is as good as one that was never cancelled. A cancelled model write leaves nothing behind: the
 * registry's staged version is removed when its write fails.
 */
final class CancellableRuns {

    private static final Logger LOG = LoggerFactory.getLogger(CancellableRuns.class);

    private final SparkContext spark;
    private volatile String running;
    private volatile String cancelledGroup;
    private volatile String cancelledBecause;

    CancellableRuns(SparkContext spark) {
        this.spark = spark;
    }

    /**
     * Runs {@code retrain} on this thread in a job group of its own.
     *
     * @throws RetrainException "retrain cancelled: {why}" when {@link #cancel} stopped it
     */
    <T> T run(Supplier<T> retrain) {
        String group = "streamtree-retrain-" + UUID.randomUUID();
        spark.setJobGroup(group, "streamtree retrain", true);
        running = group;
        try {
            return retrain.get();
        } catch (Exception e) {
            // Exception, not RuntimeException: Spark throws its checked SparkException from Scala code.
            if (group.equals(cancelledGroup)) {
                throw new RetrainException("retrain cancelled: " + cancelledBecause, e);
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new RetrainException(e.getMessage(), e);
        } finally {
            running = null;
            spark.clearJobGroup();
        }
    }

    /**
     * Cancels the running retrain, if any.
     *
     * @return whether one was running
     */
    boolean cancel(String why) {
        String group = running;
        if (group == null) {
            return false;
        }
        cancelledBecause = why;
        cancelledGroup = group;
        LOG.info("cancelling the running retrain: {}", why);
        spark.cancelJobGroupAndFutureJobs(group, "retrain cancelled: " + why);
        return true;
    }
}
