package dev.streamtree.lake.table;

import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Commits one writer's journaled micro-batches ({@link LakeJournal}) to its Iceberg table, on a thread of its own:
 * once a commit interval has passed, right after the next batch is journaled ({@link #journaled}), or, when no batch
 * comes for an interval, then. All entries above the writer's last committed batch go into one (merging) append, and
 * the committed entries are then deleted; at {@link #close} whatever is left is committed.
 *
 * <p>Exactly once: the append's snapshot summary carries {@value #WRITER_ID}, {@value #BATCH_ID} (the last batch it
 * adds) and {@value #FIRST_BATCH_ID}. Before each commit the table is refreshed and the current snapshot's ancestry
 * walked back to this writer's latest snapshot, whose batch id is the last committed one; entries at or below it
 * are only deleted. So a commit that failed, or whose outcome was unknown, is retried without adding a batch twice,
 * and a restarted job first commits what an earlier run journaled ({@link #recover}).
 *
 * <p>Failures: a commit that fails is logged and retried right after the next batch is journaled, or at the next
 * interval when batches have stopped; the journal keeps the batches meanwhile. After {@value #MAX_CONSECUTIVE_FAILURES} failures in a row, {@link #checkHealthy} throws, so the
 * streaming query fails instead of journaling without end.
 */
public final class LakeCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LakeCommitter.class);
    /** Snapshot summary key: the writing query's id. */
    public static final String WRITER_ID = "streamtree.writer-id";
    /** Snapshot summary key: the last micro-batch the snapshot adds. */
    public static final String BATCH_ID = "streamtree.batch-id";
    /** Snapshot summary key: the first micro-batch the snapshot adds. */
    public static final String FIRST_BATCH_ID = "streamtree.first-batch-id";
    static final int MAX_CONSECUTIVE_FAILURES = 3;

    private final Table table;
    private final LakeJournal journal;
    private final String writerId;
    private final AtomicInteger failures = new AtomicInteger();
    private final ScheduledExecutorService timer;
    private volatile long lastCommitted = -1;
    private volatile RuntimeException lastFailure;
    private volatile boolean closed;
    private final LongSupplier nanoTime;
    /** Whether a check at an interval's end is scheduled ({@link #journaled}, {@link #intervalEnded}). */
    private final AtomicBoolean checkScheduled = new AtomicBoolean();
    /** The commit interval in nanoseconds; 0 before {@link #start}. */
    private volatile long intervalNanos;
    /** When the last commit that added batches started (or the committer started). */
    private volatile long lastCommitNanos;
    /** When the last batch was journaled (or the committer started). */
    private volatile long lastJournalNanos;
    /** Batches journaled in this run, and how many of them the last successful commit covered. */
    private final AtomicLong journaledBatches = new AtomicLong();
    private volatile long committedBatches;

    public LakeCommitter(Table table, LakeJournal journal, String writerId) {
        this(table, journal, writerId, System::nanoTime);
    }

    LakeCommitter(Table table, LakeJournal journal, String writerId, LongSupplier nanoTime) {
        this.table = table;
        this.journal = journal;
        this.writerId = writerId;
        this.nanoTime = nanoTime;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "streamtree-lake-committer-" + table.name());
            thread.setDaemon(true);
            return thread;
        });
        // close() commits what is left itself: a commit scheduled for an interval's end must not hold it up
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = executor;
    }

    /**
     * Commits what the journal holds (left by an earlier run) and then commits every {@code interval} until
     * {@link #close}.
     *
     * @return the last committed batch id of this writer, -1 when it has none
     * @throws RuntimeException when the first commit fails (the job should not start then)
     */
    public long start(Duration interval) {
        commitPending();
        lastCommitNanos = nanoTime.getAsLong();
        lastJournalNanos = lastCommitNanos;
        intervalNanos = Math.max(1, interval.toNanos());
        long millis = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
        return lastCommitted;
    }

    /**
     * A batch was journaled: when a commit interval has passed since the last commit started, commit now on the
     * committer thread. So while batches keep coming, every commit starts right after a batch, in the quiet part of
     * the trigger's cycle, not while the next batch starts and sends its first predictions (a commit took 47-198 ms
     * in a swap run here on 2026-12-05; on a 2-core driver one running while a batch starts competes with it for the
     * cores). A batch journaled within the interval is committed with the first batch journaled after the interval's
     * end, at most an interval and a trigger after the last commit; when batches stop, an interval after the last
     * one ({@link #intervalEnded}). A journaled batch never brings a commit sooner than nine tenths of an interval
     * after the last one started.
     *
     * @return whether the commit was scheduled at once (false: later, or none when closing)
     */
    public boolean journaled() {
        if (intervalNanos == 0 || closed) {
            return false;
        }
        long now = nanoTime.getAsLong();
        lastJournalNanos = now;
        journaledBatches.incrementAndGet();
        long remaining = intervalNanos - (now - lastCommitNanos);
        try {
            // A tenth of an interval early is on time: with a trigger as long as the interval, batches are journaled
            // about an interval after the commit their predecessor brought, a few ms either side.
            if (remaining <= intervalNanos / 10) {
                timer.execute(this::commitQuietly);
                return true;
            }
            if (checkScheduled.compareAndSet(false, true)) {
                timer.schedule(this::intervalEnded, remaining, TimeUnit.NANOSECONDS);
            }
            return false;
        } catch (RejectedExecutionException e) {
            return false; // closing: close() commits what is left
        }
    }

    /**
     * At the end of an interval with journaled batches pending: while batches still come (one was journaled less
     * than an interval ago) the next one's {@link #journaled} commits, and this checks again an interval after the
     * latest; once none has come for an interval, commits them now. Runs on the committer thread.
     */
    void intervalEnded() {
        long sinceJournal = nanoTime.getAsLong() - lastJournalNanos;
        if (sinceJournal < intervalNanos && !closed) {
            try {
                timer.schedule(this::intervalEnded, intervalNanos - sinceJournal, TimeUnit.NANOSECONDS);
                return;
            } catch (RejectedExecutionException e) {
                return; // closing: close() commits what is left
            }
        }
        checkScheduled.set(false);
        if (journaledBatches.get() > committedBatches) {
            commitQuietly();
        }
    }

    /**
     * Every interval: commits what an earlier attempt left (a failed commit) once no batch has been journaled for an
     * interval; while batches come, their {@link #journaled} commits and retries.
     */
    private void tick() {
        if (nanoTime.getAsLong() - lastJournalNanos >= intervalNanos) {
            commitQuietly();
        }
    }

    /** The highest batch id this writer has committed, as of the last commit or check; -1 when none. */
    public long lastCommitted() {
        return lastCommitted;
    }

    /**
     * Commits every journaled batch above the last committed one in one append and deletes the committed
     * entries. Runs on the committer thread, and on the caller's at start and close.
     *
     * @return the number of batches committed now
     */
    public synchronized int commitPending() {
        long journaledBefore = journaledBatches.get();
        long started = nanoTime.getAsLong();
        table.refresh();
        long committed = Math.max(lastCommitted, lastCommittedIn(table, writerId));
        lastCommitted = committed;
        TreeSet<Long> pending = journal.batchIds();
        List<Long> toCommit = new ArrayList<>(pending.tailSet(committed, false));
        if (!toCommit.isEmpty()) {
            // A merging append: the table's small manifests are merged once MANIFEST_MIN_MERGE_COUNT accumulate, so
            // scan planning does not grow with the number of commits (a fast append adds one manifest per commit).
            AppendFiles append = table.newAppend();
            int files = 0;
            for (long batchId : toCommit) {
                List<DataFile> batchFiles = journal.read(batchId).orElseThrow(() -> new IllegalStateException(
                        "lake journal entry of batch " + batchId + " vanished before its commit"));
                batchFiles.forEach(append::appendFile);
                files += batchFiles.size();
            }
            long last = toCommit.get(toCommit.size() - 1);
            append.set(WRITER_ID, writerId)
                    .set(BATCH_ID, Long.toString(last))
                    .set(FIRST_BATCH_ID, Long.toString(toCommit.get(0)))
                    .commit();
            lastCommitted = last;
            lastCommitNanos = started;
            LOG.info("lake table {}: committed batches {}-{} of writer {} ({} files)", table.name(), toCommit.get(0),
                    last, writerId, files);
        }
        for (long batchId : pending.headSet(lastCommitted, true)) {
            journal.delete(batchId);
        }
        committedBatches = journaledBefore;
        return toCommit.size();
    }

    /**
     * @throws IllegalStateException with the last failure as its cause, after {@value #MAX_CONSECUTIVE_FAILURES}
     *                               commits in a row failed
     */
    public void checkHealthy() {
        int failed = failures.get();
        if (failed >= MAX_CONSECUTIVE_FAILURES) {
            throw new IllegalStateException(failed + " lake commits to " + table.name() + " failed in a row; the last: "
                    + lastFailure.getMessage(), lastFailure);
        }
    }

    /** Stops the timer and commits what is left. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdown();
        try {
            if (!timer.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("lake committer of {} did not finish its commit within a minute", table.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitPending();
    }

    /**
     * The last batch id {@code writerId} committed to {@code table}: the {@value #BATCH_ID} of its latest snapshot
     * in the current snapshot's ancestry; -1 when there is none.
     */
    public static long lastCommittedIn(Table table, String writerId) {
        return latestOf(table, writerId).map(s -> Long.parseLong(s.summary().get(BATCH_ID))).orElse(-1L);
    }

    /** The latest snapshot {@code writerId} committed in the current snapshot's ancestry. */
    public static Optional<Snapshot> latestOf(Table table, String writerId) {
        for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
            if (writerId.equals(snapshot.summary().get(WRITER_ID)) && snapshot.summary().containsKey(BATCH_ID)) {
                return Optional.of(snapshot);
            }
        }
        return Optional.empty();
    }

    private void commitQuietly() {
        try {
            commitPending();
            failures.set(0);
        } catch (RuntimeException e) {
            lastFailure = e;
            int failed = failures.incrementAndGet();
            LOG.warn("lake commit {} in a row to {} failed (retried after the next batch, or the next interval; the "
                    + "journal keeps the batches): {}", failed, table.name(), e.getMessage(), e);
        }
    }
}
