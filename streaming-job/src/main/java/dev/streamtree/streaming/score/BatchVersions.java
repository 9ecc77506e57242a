package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.VersionId;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The model version each micro-batch was scored by, kept with the query's checkpoint so that a replayed batch is
 * scored by the version its first attempt used, whatever the registry's pointer says by then: its predictions then
 * repeat the first attempt's {@code (event_id, model_version, batch_id)} and consumers drop them as duplicates.
 *
 * <pre>
 * CHECKPOINT/_streamtree/batch-versions/
 *   17          the version that scored batch 17, e.g. "v000002"
 * </pre>
 *
 * <p>A batch's record is written before the batch's Spark job sends anything, to a temporary file renamed into place,
 * so a reader sees a whole record or none; a batch that had no model has none. Spark replays only the last planned
 * batch, so only the newest {@value #RETAINED} records are kept; each {@link #record} deletes older ones. A record is
 * looked for only when the batch can have had an earlier attempt (the first batch since this store was opened, or an
 * id not above every id seen), so a steady stream costs one small write and at most one delete per batch.
 *
 * <p>Failures: {@link UncheckedIOException} when the checkpoint's file system cannot be read or written. The caller
 * fails the batch: without the record, a replay could not keep the guarantee. A record that does not parse is
 * logged and treated as absent.
 *
 * <p>Not thread-safe: the streaming query's batch thread uses it.
 */
public final class BatchVersions {

    /** Records kept, newest batch ids first. */
    public static final int RETAINED = 10;
    static final String DIRECTORY = "_streamtree/batch-versions";

    private static final Logger LOG = LoggerFactory.getLogger(BatchVersions.class);

    private final FileSystem fs;
    private final Path dir;
    /** Batch ids with a record on storage, as far as this instance knows; null until the first listing. */
    private TreeSet<Long> known;
    private long highestSeen = -1;

    private BatchVersions(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /**
     * The store of the query whose checkpoint is at {@code checkpoint} (a path or Hadoop URI).
     *
     * @throws UncheckedIOException when no file system serves the location
     */
    public static BatchVersions open(String checkpoint, Configuration conf) {
        Path root = new Path(checkpoint);
        try {
            FileSystem fs = root.getFileSystem(conf);
            if ("file".equals(fs.getScheme())) {
                // The raw local file system: no .crc side files, and rename is the atomic POSIX rename.
                fs = FileSystem.getLocal(conf).getRaw();
            }
            return new BatchVersions(fs, new Path(fs.makeQualified(root), DIRECTORY));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the batch version records under " + checkpoint + ": "
                    + e.getMessage(), e);
        }
    }

    /** Where the records are. */
    public String location() {
        return dir.toString();
    }

    /** The version an earlier attempt of this batch recorded, if any. */
    public Optional<VersionId> recorded(long batchId) {
        boolean mayHaveEarlierAttempt = highestSeen < 0 || batchId <= highestSeen;
        highestSeen = Math.max(highestSeen, batchId);
        if (!mayHaveEarlierAttempt) {
            return Optional.empty();
        }
        Path file = file(batchId);
        String text;
        try (InputStream in = fs.open(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(VersionId.parse(text));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring the damaged model version record {} ({}); batch {} is scored as a new batch", file,
                    e.getMessage(), batchId);
            return Optional.empty();
        }
    }

    /**
     * Records the version that scores this batch, replacing any record it has, and deletes the records of batches
     * {@value #RETAINED} or more ids older.
     */
    public void record(long batchId, VersionId version) {
        Path file = file(batchId);
        Path temporary = new Path(dir, "." + batchId + ".tmp");
        try {
            try (FSDataOutputStream out = fs.create(temporary, true)) {
                out.write((version + "\n").getBytes(StandardCharsets.UTF_8));
            }
            // A file system whose rename does not replace (HDFS) refuses when a damaged record is in the way.
            if (!fs.rename(temporary, file) && !(fs.delete(file, false) && fs.rename(temporary, file))) {
                throw new IOException("could not move " + temporary + " to " + file);
            }
            prune(batchId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record model " + version + " for batch " + batchId + " in " + dir
                    + ": " + e.getMessage(), e);
        }
        highestSeen = Math.max(highestSeen, batchId);
    }

    private void prune(long newest) throws IOException {
        if (known == null) {
            known = new TreeSet<>();
            for (FileStatus status : fs.listStatus(dir)) {
                String name = status.getPath().getName();
                if (name.matches("\\d{1,18}")) {
                    known.add(Long.parseLong(name));
                }
            }
        }
        known.add(newest);
        while (known.first() <= newest - RETAINED) {
            long old = known.pollFirst();
            fs.delete(file(old), false);
        }
    }

    private Path file(long batchId) {
        return new Path(dir, Long.toString(batchId));
    }
}
