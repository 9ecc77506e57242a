package dev.streamtree.lake.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Appends micro-batches to the Parquet lake so that each batch lands exactly once, however often it is
 * replayed after a crash.
 *
 * <p>Per batch: (1) {@link #begin}: if the batch's commit marker exists, nothing is to be written (a replay of a
 * committed batch); otherwise any earlier attempt's staging directory is removed and the batch's
 * {@link LakeStaging} returned; (2) the tasks that process the batch write their rows into staging with
 * {@link LakeFileWriter}, each attempt into files of its own, and the driver gathers the files of the attempts that
 * succeeded; (3) {@link #commit}: in every partition the batch touches, files an earlier attempt of the same batch
 * left behind are deleted, and the gathered files are renamed into the partition as
 * {@code batch-<id>-<n>-<writer>.parquet}; (4) the marker is written. A crash anywhere before (4) is repaired by the
 * replay; a crash after it makes the replay a no-op. Readers may briefly see part of a batch while step (3) runs,
 * never a row twice. Files of failed or duplicate task attempts stay in staging and go with it.
 *
 * <p>Steps (1) and (3)'s search for an earlier attempt's files (a listing of the whole partition, which grows with
 * every batch of the hour) only run for a batch that may have had an earlier attempt: the first batch this instance
 * writes, and any batch id not above every id it has written before. A streaming query attempts its batches in
 * increasing order and, restarted, resumes at the last batch it planned, so a batch above all those an instance
 * has written, after its first, was never attempted by this or an earlier query run.
 *
 * <p>Bookkeeping lives under {@code <lake>/_streamtree/}, which Spark, Hive and Glue crawlers skip (leading
 * underscore). The writer id (the streaming query's persistent id) keeps two queries writing the same lake, or a
 * query restarted with a fresh checkpoint, from mistaking each other's batches for their own.
 *
 * <p>{@link #begin} and {@link #commit} run on the driver. Every I/O failure is thrown as
 * {@link UncheckedIOException} so the streaming query fails and resumes from its checkpoint.
 */
public final class LakeBatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LakeBatchWriter.class);
    private static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9]{1,36}");
    static final String BOOKKEEPING_DIR = "_streamtree";

    private final Path root;
    private final String writerId;
    private final Configuration hadoopConf;
    private final LakeStaging.ConfSource taskConf;
    private final Clock clock;
    private final EventSchema schema;
    /** The highest batch id {@link #begin} was called with; -1 before the first call. */
    private long highestAttempted = -1;

    /**
     * @param lakeRoot the table location (any Hadoop file system URI; a relative path is resolved against the
     *                 working directory)
     * @param writerId letters and digits identifying the writing query
     * @param spark    the session's context: its Hadoop configuration, as it is now, is broadcast once to the tasks
     * @param schema   the event schema the lake columns derive from
     */
    public LakeBatchWriter(String lakeRoot, String writerId, SparkContext spark, Clock clock, EventSchema schema) {
        if (writerId == null || !WRITER_ID.matcher(writerId).matches()) {
            throw new IllegalArgumentException("lake writer id '" + writerId + "' must be 1-36 letters and digits");
        }
        this.hadoopConf = spark.hadoopConfiguration();
        Broadcast<HadoopConf> shared = JavaSparkContext.fromSparkContext(spark).broadcast(new HadoopConf(hadoopConf));
        this.taskConf = () -> shared.value().get();
        this.writerId = writerId;
        this.clock = clock;
        this.schema = schema;
        this.root = new Path(qualifiedLocation(lakeRoot, hadoopConf));
    }

    /**
     * The lake location as a fully qualified URI (scheme and, for local paths, the absolute path), as catalogs
     * should record it.
     *
     * @throws IllegalArgumentException naming the location when no file system serves it
     */
    public static String qualifiedLocation(String lakeRoot, Configuration hadoopConf) {
        try {
            Path path = new Path(lakeRoot);
            return path.getFileSystem(hadoopConf).makeQualified(path).toString();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("lake location '" + lakeRoot + "' is not usable: " + e.getMessage(), e);
        }
    }

    /** The qualified lake root, as catalogs should record it. */
    public String location() {
        return root.toString();
    }

    /** The marker that says this batch is in the lake. */
    public Path commitMarker(long batchId) {
        return new Path(root, BOOKKEEPING_DIR + "/commits/" + writerId + "/" + batchName(batchId) + ".json");
    }

    /**
     * Starts a batch: finds out whether an earlier attempt committed it and, if not, clears any earlier attempt's
     * staging directory and says where the tasks write.
     *
     * @throws UncheckedIOException when the marker cannot be read or the staging directory cannot be cleared
     */
    public LakeBatch begin(long batchId) {
        boolean mayHaveEarlierAttempt = highestAttempted < 0 || batchId <= highestAttempted;
        highestAttempted = Math.max(highestAttempted, batchId);
        Path staging = stagingDir(batchId);
        try {
            if (mayHaveEarlierAttempt) {
                FileSystem fs = root.getFileSystem(hadoopConf);
                Path marker = commitMarker(batchId);
                if (fs.exists(marker)) {
                    LakeCommit committed = readMarker(fs, marker);
                    LOG.info("lake batch {} was already committed by an earlier attempt ({} files); not writing it again",
                            batchId, committed.files());
                    return new LakeBatch(batchId, committed, null, true);
                }
                fs.delete(staging, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("starting micro-batch " + batchId + " in the lake at " + root + " failed: "
                    + e.getMessage(), e);
        }
        return new LakeBatch(batchId, null, new LakeStaging(staging.toString(), schema, taskConf), mayHaveEarlierAttempt);
    }

    /**
     * Moves the staged files of the task attempts that succeeded into the table and writes the batch's marker. For a
     * batch an earlier attempt committed, returns that commit and touches nothing.
     *
     * @param stagedFiles what the succeeding attempts' {@link LakeFileWriter#finish} returned, in any order
     * @throws UncheckedIOException when a file cannot be moved, a leftover of an earlier attempt cannot be deleted,
     *                              or the marker cannot be written; the replay of the batch repairs all of these
     */
    public LakeCommit commit(LakeBatch batch, Collection<String> stagedFiles) {
        if (batch.alreadyCommitted()) {
            return batch.committed();
        }
        long batchId = batch.batchId();
        try {
            FileSystem fs = root.getFileSystem(hadoopConf);
            Path staging = new Path(batch.staging().directory());
            TreeMap<LakePartition, List<String>> staged = byPartition(stagedFiles);
            int n = 0;
            for (var entry : staged.entrySet()) {
                Path partitionDir = new Path(root, entry.getKey().path());
                if (batch.mayHaveEarlierAttempt()) {
                    deleteEarlierAttempts(fs, partitionDir, batchId);
                }
                fs.mkdirs(partitionDir);
                for (String file : entry.getValue()) {
                    Path source = new Path(staging, file);
                    Path target = new Path(partitionDir, fileName(batchId, n++));
                    if (!fs.rename(source, target)) {
                        throw new IOException("could not move " + source + " to " + target);
                    }
                }
            }
            LakeCommit commit = new LakeCommit(batchId, false, n, new ArrayList<>(staged.keySet()));
            writeMarker(fs, commitMarker(batchId), commit);
            fs.delete(staging, true);
            return commit;
        } catch (IOException e) {
            throw new UncheckedIOException("committing micro-batch " + batchId + " to the lake at " + root + " failed: "
                    + e.getMessage(), e);
        }
    }

    String fileName(long batchId, int n) {
        return batchName(batchId) + "-" + n + "-" + writerId + ".parquet";
    }

    private static String batchName(long batchId) {
        return "batch-" + batchId;
    }

    private void deleteEarlierAttempts(FileSystem fs, Path partitionDir, long batchId) throws IOException {
        if (!fs.exists(partitionDir)) {
            return;
        }
        String prefix = batchName(batchId) + "-";
        String suffix = "-" + writerId + ".parquet";
        FileStatus[] leftovers = fs.listStatus(partitionDir,
                p -> p.getName().startsWith(prefix) && p.getName().endsWith(suffix));
        for (FileStatus leftover : leftovers) {
            LOG.warn("removing {} left by an interrupted attempt of lake batch {}", leftover.getPath(), batchId);
            fs.delete(leftover.getPath(), false);
        }
    }

    private Path stagingDir(long batchId) {
        return new Path(root, BOOKKEEPING_DIR + "/staging/" + writerId + "/" + batchName(batchId));
    }

    /** Staged files ({@code event_date=../event_hour=../name}) by partition, each partition's sorted by name. */
    private static TreeMap<LakePartition, List<String>> byPartition(Collection<String> stagedFiles) {
        TreeMap<LakePartition, List<String>> files = new TreeMap<>();
        for (String file : stagedFiles) {
            int slash = file.lastIndexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("staged lake file '" + file + "' is not in a partition directory");
            }
            files.computeIfAbsent(LakePartition.parsePath(file.substring(0, slash)), p -> new ArrayList<>()).add(file);
        }
        files.values().forEach(names -> names.sort(Comparator.naturalOrder()));
        return files;
    }

    private void writeMarker(FileSystem fs, Path marker, LakeCommit commit) throws IOException {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("batch_id", commit.batchId());
        node.put("writer_id", writerId);
        node.put("files", commit.files());
        var partitions = node.putArray("partitions");
        commit.partitions().forEach(p -> partitions.add(p.path()));
        node.put("committed_at", clock.instant().toString());
        Path temporary = new Path(marker.getParent(), "." + marker.getName() + ".tmp");
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write(Json.mapper().writeValueAsString(node).getBytes(StandardCharsets.UTF_8));
        }
        if (!fs.rename(temporary, marker)) {
            throw new IOException("could not move commit marker " + temporary + " to " + marker);
        }
    }

    private static LakeCommit readMarker(FileSystem fs, Path marker) throws IOException {
        JsonNode node;
        try (InputStream in = fs.open(marker)) {
            node = Json.mapper().readTree(in);
        }
        List<LakePartition> partitions = new ArrayList<>();
        node.path("partitions").forEach(p -> partitions.add(LakePartition.parsePath(p.asText())));
        return new LakeCommit(node.path("batch_id").asLong(), true, node.path("files").asInt(), partitions);
    }
}
