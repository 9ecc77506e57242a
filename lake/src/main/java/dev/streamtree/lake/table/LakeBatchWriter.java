package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakePartition;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Table;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Appends micro-batches to an Iceberg lake table so that each batch lands exactly once, however often it is
 * replayed after a crash, without a table commit on the batch's path.
 *
 * <p>Per batch: (1) {@link #begin}: if the batch's journal entry exists or the table already holds it (its id is at
 * or below the writer's last committed batch, see {@link LakeCommitter}), nothing is to be written (a replay);
 * otherwise the batch's {@link LakeTarget} is returned; (2) the tasks that process the batch write their rows with
 * {@link LakeFileWriter} straight into the table's data location, each attempt into files of its own, and the driver
 * gathers the {@link DataFile}s of the attempts that succeeded; (3) {@link #finish} writes the batch's
 * {@link LakeJournal} entry, and only then does the batch return to Spark. The {@link LakeCommitter} adds the
 * journaled batches to the table every commit interval and at {@link #close}. A crash before (3) is repaired by the
 * replay (the first attempt's files are referenced by nothing and orphan removal deletes them); after (3), the
 * replay writes nothing. Readers see a batch whole, at the commit after its entry, never a row twice.
 *
 * <p>Step (1)'s checks only run for a batch that may have had an earlier attempt: the first batch this instance
 * writes, and any batch id not above every id it has written before. A streaming query attempts its batches in
 * increasing order and, restarted, resumes at the last batch it planned.
 *
 * <p>The writer id (the streaming query's persistent id) keeps two queries writing the same table, or a query
 * restarted with a fresh checkpoint, from mistaking each other's batches for their own. Everything here runs on the
 * driver; I/O failures are thrown as {@link java.io.UncheckedIOException} so the query fails and resumes from its
 * checkpoint.
 */
public final class LakeBatchWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LakeBatchWriter.class);
    private static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9]{1,36}");
    /**
     * The most Parquet files one task holds open: a batch's events mostly fall in one or two hours, and late events
     * beyond 16 distinct hours in one task cost extra (smaller) files rather than memory.
     */
    public static final int MAX_OPEN_FILES_PER_TASK = 16;

    private final Table table;
    private final String writerId;
    private final LakeJournal journal;
    private final LakeCommitter committer;
    private final LakeTarget.TableSource taskTable;
    private final int maxOpenFiles;
    /** The highest batch id {@link #begin} was called with; -1 before the first call. */
    private long highestAttempted = -1;

    private LakeBatchWriter(Table table, String writerId, LakeJournal journal, LakeTarget.TableSource taskTable,
                            int maxOpenFiles) {
        this.table = table;
        this.writerId = writerId;
        this.journal = journal;
        this.committer = new LakeCommitter(table, journal, writerId);
        this.taskTable = taskTable;
        this.maxOpenFiles = maxOpenFiles;
    }

    /**
     * A writer of {@code table} whose committer first commits what an earlier run journaled, then commits every
     * {@code commitInterval}.
     *
     * @param journalDirectory this writer's journal ({@link LakeJournal#directory})
     * @param writerId         letters and digits identifying the writing query
     * @param spark            the session's context: a read-only copy of the table is broadcast once to the tasks
     * @param maxOpenFiles     the most files a task holds open ({@link #MAX_OPEN_FILES_PER_TASK} in the job)
     * @throws IllegalArgumentException for a bad writer id
     * @throws RuntimeException         when committing the earlier run's journal fails
     */
    public static LakeBatchWriter start(Table table, String journalDirectory, String writerId, SparkContext spark,
                                        Duration commitInterval, int maxOpenFiles) {
        if (writerId == null || !WRITER_ID.matcher(writerId).matches()) {
            throw new IllegalArgumentException("lake writer id '" + writerId + "' must be 1-36 letters and digits");
        }
        Broadcast<Table> shared = JavaSparkContext.fromSparkContext(spark).broadcast(SerializableTable.copyOf(table));
        LakeJournal journal = new LakeJournal(journalDirectory, writerId, spark.hadoopConfiguration());
        LakeBatchWriter writer = new LakeBatchWriter(table, writerId, journal, () -> shared.value(), maxOpenFiles);
        long committed = writer.committer.start(commitInterval);
        LOG.info("lake writer {} of {}: last committed batch {}, commits every {}", writerId, table.name(), committed,
                commitInterval);
        return writer;
    }

    /** The table written. */
    public Table table() {
        return table;
    }

    /** The committer, for callers that must see the table up to date now ({@link LakeCommitter#commitPending}). */
    public LakeCommitter committer() {
        return committer;
    }

    /**
     * Starts a batch: finds out whether an earlier attempt landed it and, if not, says where the tasks write.
     *
     * @throws IllegalStateException         when the committer failed too often ({@link LakeCommitter#checkHealthy})
     * @throws java.io.UncheckedIOException when the journal cannot be read
     */
    public LakeBatch begin(long batchId) {
        committer.checkHealthy();
        boolean mayHaveEarlierAttempt = highestAttempted < 0 || batchId <= highestAttempted;
        highestAttempted = Math.max(highestAttempted, batchId);
        // The journal first: the committer raises its last committed id before it deletes an entry.
        if (mayHaveEarlierAttempt && (journal.contains(batchId) || batchId <= committer.lastCommitted())) {
            LOG.info("lake batch {} already landed by an earlier attempt; not writing it again", batchId);
            return new LakeBatch(batchId, LakeCommit.replayed(batchId), null);
        }
        return new LakeBatch(batchId, null, new LakeTarget(taskTable, writerId + "-" + batchId, maxOpenFiles));
    }

    /**
     * Makes the batch durable: writes its journal entry with the files of the task attempts that succeeded. For a
     * batch an earlier attempt landed, touches nothing.
     *
     * @param files what the succeeding attempts' {@link LakeFileWriter#finish} returned, in any order
     * @throws java.io.UncheckedIOException when the entry cannot be written; the replay of the batch repairs it
     */
    public LakeCommit finish(LakeBatch batch, Collection<DataFile> files) {
        if (batch.alreadyLanded()) {
            return batch.landed();
        }
        List<DataFile> sorted = files.stream().sorted(java.util.Comparator.comparing(f -> f.location())).toList();
        TreeSet<LakePartition> partitions = new TreeSet<>();
        long rows = 0;
        for (DataFile file : sorted) {
            partitions.add(new LakePartition(file.partition().get(0, String.class), file.partition().get(1, Integer.class)));
            rows += file.recordCount();
        }
        if (!sorted.isEmpty()) {
            journal.write(batch.batchId(), sorted);
            committer.journaled();
        }
        return new LakeCommit(batch.batchId(), false, sorted.size(), rows, List.copyOf(partitions));
    }

    /** Stops the committer after committing everything journaled. */
    @Override
    public void close() {
        committer.close();
    }
}
