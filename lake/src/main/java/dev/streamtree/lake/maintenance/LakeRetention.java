package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakePartition;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import dev.streamtree.lake.table.LakeCommitter;
import dev.streamtree.lake.table.LakeJournal;
import dev.streamtree.lake.table.LakeTables;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a table from growing without bound, in four steps: delete the hour partitions older than the retention
 * (a metadata-only delete of whole files), expire old snapshots (which deletes the files only they referenced),
 * delete orphan files (written by failed tasks, killed batches or killed compactions; never referenced), and clean
 * the writer's journal of entries already committed.
 *
 * <p>The writer's journal ({@link LakeJournal}: {@code <journal>/<writer-id>/batch-<id>}) holds batches that are durable
 * but not yet in a snapshot; their data files look like orphans to Iceberg. Orphan removal therefore never touches
 * the journal, and it is skipped (with a warning) while the journal holds an uncommitted entry older than the orphan
 * age: that writer has been down longer than the floor, and its files must wait for its restart.
 */
public final class LakeRetention {

    /** Snapshot summary keys the writer sets (docs/lake.md, "Keeping replays exact"). */
    public static final String WRITER_ID = LakeCommitter.WRITER_ID;
    public static final String BATCH_ID = LakeCommitter.BATCH_ID;

    private static final Logger LOG = LoggerFactory.getLogger(LakeRetention.class);
    private static final Pattern ENTRY = Pattern.compile("batch-(\\d+)");

    private final SparkSession spark;
    private final Clock clock;

    public LakeRetention(SparkSession spark, Clock clock) {
        this.spark = Objects.requireNonNull(spark, "spark");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What one run did.
     *
     * @param retained           the retention applied, empty when none was set
     * @param deletedPartitions  hour partitions removed from the table
     * @param orphansSkipped     why orphan removal did not run, or empty
     */
    public record Result(Optional<Duration> retained, int deletedPartitions, int deletedPartitionFiles, long deletedRows,
                         long expiredSnapshots, long deletedDataFiles, long deletedManifests, int deletedOrphans,
                         Optional<String> orphansSkipped, int journalEntriesDeleted, long millis) {
    }

    /**
     * The journal directory of a table: one subdirectory per writer ({@link LakeJournal#directory} without the
     * writer).
     */
    public static String journalLocation(LakeTables tables, TableIdentifier table) {
        String writerDir = LakeJournal.directory(tables, table, "w");
        return writerDir.substring(0, writerDir.length() - 2);
    }

    /**
     * Applies {@code options} to {@code table}, whose writers journal under {@code journalLocation}.
     *
     * <p>Expiry never takes the latest snapshot of a writer that still has a journal directory: the writer's
     * replay check reads its last committed batch id from that snapshot (docs/lake.md). Delete a retired writer's
     * journal directory to release its snapshot.
     */
    public Result retain(Table table, String journalLocation, RetentionOptions options) {
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        table.refresh();
        Optional<Duration> retain = options.retainFor(table.properties());
        int partitions = 0;
        int files = 0;
        long rows = 0;
        if (retain.isPresent()) {
            LakePartition firstKept = ClosedHours.firstOpen(now, retain.get());
            for (LakeInventory.HourFiles hour : LakeInventory.of(table, CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES).partitions()) {
                if (ClosedHours.isClosed(hour.partition(), firstKept)) {
                    partitions++;
                    files += hour.files();
                    rows += hour.rows();
                }
            }
            if (partitions > 0) {
                table.newDelete().deleteFromRowFilter(ClosedHours.before(firstKept, HourColumns.of(table.spec()))).commit();
            }
        }
        // Before the expiry: the writer's batch ids live only in its own snapshots' summaries.
        Map<String, Long> committed = committedBatches(table);
        long expired = 0;
        long dataFiles = 0;
        long manifests = 0;
        if (table.currentSnapshot() != null) {
            int snapshotsBefore = count(table.snapshots());
            long expireBefore = now.minus(options.snapshotsFor()).toEpochMilli();
            for (String writer : journalWriters(new Path(journalLocation), spark.sparkContext().hadoopConfiguration())) {
                Optional<Snapshot> latest = LakeCommitter.latestOf(table, writer);
                if (latest.isPresent() && latest.get().timestampMillis() < expireBefore) {
                    expireBefore = latest.get().timestampMillis();
                }
            }
            ExpireSnapshots.Result e = SparkActions.get(spark).expireSnapshots(table)
                    .expireOlderThan(expireBefore)
                    .retainLast(options.minSnapshots())
                    .execute();
            dataFiles = e.deletedDataFilesCount();
            manifests = e.deletedManifestsCount() + e.deletedManifestListsCount();
            table.refresh();
            expired = snapshotsBefore - count(table.snapshots());
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Journal journal = cleanJournal(new Path(journalLocation), conf, committed, now.minus(options.orphanAge()));
        Optional<String> skipped = Optional.empty();
        int orphans = 0;
        if (journal.oldestPending().isPresent() && journal.oldestPending().get().isBefore(now.minus(options.orphanAge()))) {
            skipped = Optional.of("the journal holds an uncommitted batch from " + journal.oldestPending().get()
                    + ", older than the orphan age; its files wait for the writer");
            LOG.warn("lake retention of {}: orphan removal skipped: {}", table.name(), skipped.get());
        } else {
            DeleteOrphanFiles.Result o = SparkActions.get(spark).deleteOrphanFiles(table)
                    .olderThan(now.minus(options.orphanAge()).toEpochMilli())
                    .location(table.location() + "/data")
                    .execute();
            for (String ignored : o.orphanFileLocations()) {
                orphans++;
            }
            DeleteOrphanFiles.Result m = SparkActions.get(spark).deleteOrphanFiles(table)
                    .olderThan(now.minus(options.orphanAge()).toEpochMilli())
                    .location(table.location() + "/metadata")
                    .execute();
            for (String ignored : m.orphanFileLocations()) {
                orphans++;
            }
        }
        Result result = new Result(retain, partitions, files, rows, expired, dataFiles, manifests, orphans, skipped,
                journal.deleted(), (System.nanoTime() - t0) / 1_000_000);
        LOG.info("lake retention of {}: {}", table.name(), result);
        return result;
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }

    /** The last committed batch id of each writer, from the snapshots' summaries (newest wins). */
    static Map<String, Long> committedBatches(Table table) {
        Map<String, Long> out = new HashMap<>();
        for (Snapshot s : table.snapshots()) {
            String writer = s.summary().get(WRITER_ID);
            String batch = s.summary().get(BATCH_ID);
            if (writer != null && batch != null) {
                out.merge(writer, Long.parseLong(batch), Math::max);
            }
        }
        return out;
    }

    static List<String> journalWriters(Path journal, Configuration conf) {
        try {
            List<String> writers = new ArrayList<>();
            for (FileStatus status : journal.getFileSystem(conf).listStatus(journal)) {
                if (status.isDirectory()) {
                    writers.add(status.getPath().getName());
                }
            }
            return writers;
        } catch (FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the lake journal " + journal + ": " + e.getMessage(), e);
        }
    }

    record Journal(int deleted, Optional<Instant> oldestPending) {
    }

    /**
     * Deletes journal entries at or below their writer's committed batch id (a committer that died between its commit
     * and its clean-up leaves them) and temporary files older than {@code staleBefore} (a killed journal write).
     */
    static Journal cleanJournal(Path journal, Configuration conf, Map<String, Long> committed, Instant staleBefore) {
        int deleted = 0;
        Instant oldestPending = null;
        try {
            FileSystem fs = journal.getFileSystem(conf);
            FileStatus[] writers;
            try {
                writers = fs.listStatus(journal);
            } catch (FileNotFoundException e) {
                return new Journal(0, Optional.empty());
            }
            for (FileStatus writer : writers) {
                if (!writer.isDirectory()) {
                    continue;
                }
                long last = committed.getOrDefault(writer.getPath().getName(), -1L);
                for (FileStatus entry : fs.listStatus(writer.getPath())) {
                    Matcher m = ENTRY.matcher(entry.getPath().getName());
                    Instant modified = Instant.ofEpochMilli(entry.getModificationTime());
                    if (m.matches()) {
                        if (Long.parseLong(m.group(1)) <= last) {
                            deleted += fs.delete(entry.getPath(), true) ? 1 : 0;
                        } else if (oldestPending == null || modified.isBefore(oldestPending)) {
                            oldestPending = modified;
                        }
                    } else if (modified.isBefore(staleBefore)) {
                        deleted += fs.delete(entry.getPath(), true) ? 1 : 0;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the lake journal " + journal + ": " + e.getMessage(), e);
        }
        return new Journal(deleted, Optional.ofNullable(oldestPending));
    }
}
