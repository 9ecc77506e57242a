package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakePartition;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.actions.RewriteManifests;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Rewrites the small files of closed hour partitions into files of the target size, then rewrites the manifests.
 * An hour is compacted once it ended more than the grace period ago and holds two or more small files; a late event
 * appended to a compacted hour makes it a candidate again.
 *
 * <p>Safety: Iceberg's {@code rewrite_data_files} writes new files, then commits one replace snapshot per group of
 * hours (partial progress). Until that commit the new files are in no snapshot; the old files stay in the table.
 * A failure or a kill part-way leaves the committed groups compacted and the rest as they were, plus orphan files
 * that retention's orphan removal deletes. The writer's appends do not conflict with a rewrite: a replace only
 * fails when a file it rewrites was deleted meanwhile, and then that group is retried at the next run.
 *
 * <p>The manifest rewrite that follows can lose a race with a concurrent commit that replaced a manifest it read
 * (a merging append); it is then left to the next run, with a warning, and the data compaction stands.
 *
 * <p>Not thread-safe against a second compaction of the same table; run one (the launcher or the scheduler).
 */
public final class LakeCompaction {

    private static final Logger LOG = LoggerFactory.getLogger(LakeCompaction.class);

    private final SparkSession spark;
    private final Clock clock;

    public LakeCompaction(SparkSession spark, Clock clock) {
        this.spark = Objects.requireNonNull(spark, "spark");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What one run did. */
    public record Result(int hoursPending, int hoursRewritten, int filesBefore, int filesAfter, int rewrittenFiles,
                         int addedFiles, long rewrittenBytes, int failedFiles, int manifestsRewritten,
                         int manifestsAdded, long millis) {
    }

    /**
     * Compacts the closed hours of {@code table} that need it, then its manifests.
     *
     * @throws org.apache.iceberg.exceptions.ValidationException when a rewrite cannot commit (with partial
     *                                                            progress only if every group failed)
     */
    public Result compact(Table table, CompactionOptions options) {
        long t0 = System.nanoTime();
        LakePartition firstOpen = ClosedHours.firstOpen(clock.instant(), options.grace());
        LakeInventory before = LakeInventory.of(table, options.targetFileSizeBytes());
        List<LakeInventory.HourFiles> pending = before.pendingCompaction(firstOpen);
        int rewritten = 0;
        int added = 0;
        long bytes = 0;
        int failed = 0;
        Set<Object> hours = new HashSet<>();
        if (!pending.isEmpty()) {
            RewriteDataFiles.Result r = SparkActions.get(spark).rewriteDataFiles(table)
                    .binPack()
                    .filter(ClosedHours.before(firstOpen, HourColumns.of(table.spec())))
                    .option(RewriteDataFiles.TARGET_FILE_SIZE_BYTES, Long.toString(options.targetFileSizeBytes()))
                    .option("min-input-files", "2")
                    .option(RewriteDataFiles.PARTIAL_PROGRESS_ENABLED, "true")
                    .option(RewriteDataFiles.PARTIAL_PROGRESS_MAX_COMMITS, Integer.toString(options.maxCommits()))
                    // One group at a time: with partial progress, concurrent group rewrites commit from several threads
                    // and conflict with each other until a group's commit gives up and stays uncompacted (apache/iceberg
                    // #9521; LakeCompactionKillIT's rerun left an hour of 8 files so). The tasks inside a group still
                    // run in parallel.
                    .option(RewriteDataFiles.MAX_CONCURRENT_FILE_GROUP_REWRITES, "1")
                    .execute();
            rewritten = r.rewrittenDataFilesCount();
            added = r.addedDataFilesCount();
            bytes = r.rewrittenBytesCount();
            failed = r.failedDataFilesCount();
            r.rewriteResults().forEach(g -> hours.add(g.info().partition()));
        }
        int manifestsRewritten = 0;
        int manifestsAdded = 0;
        try {
            RewriteManifests.Result m = SparkActions.get(spark).rewriteManifests(table).execute();
            manifestsRewritten = count(m.rewrittenManifests());
            manifestsAdded = count(m.addedManifests());
        } catch (ValidationException | CommitFailedException e) {
            // A concurrent commit replaced a manifest this rewrite read (a merging append); the data compaction above
            // is committed already, and the next run merges the manifests.
            LOG.warn("lake compaction of {}: manifest rewrite lost a race with another commit, left to the next run: {}",
                    table.name(), e.getMessage());
        }
        LakeInventory after = LakeInventory.of(table, options.targetFileSizeBytes());
        Result result = new Result(pending.size(), hours.size(), before.files(), after.files(), rewritten, added, bytes,
                failed, manifestsRewritten, manifestsAdded, (System.nanoTime() - t0) / 1_000_000);
        LOG.info("lake compaction of {}: {} hours pending, {} rewritten ({} files -> {}), {} failed files; "
                        + "manifests {} -> {}; {} ms", table.name(), result.hoursPending(), result.hoursRewritten(),
                rewritten, added, failed, manifestsRewritten, manifestsAdded, result.millis());
        return result;
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
