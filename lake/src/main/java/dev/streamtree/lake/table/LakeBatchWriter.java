package dev.streamtree.lake.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.json.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Appends micro-batches to the Parquet lake so that each batch lands exactly once, however often it is
 * replayed after a crash.
 *
 * <p>Per batch: (1) if the batch's commit marker exists, nothing is written (a replay of a committed batch);
 * (2) the rows are written to a staging directory of that batch, replacing any earlier attempt's staging;
 * (3) in every partition the batch touches, files an earlier attempt of the same batch left behind are deleted,
 * and the staged files are renamed into the partition as {@code batch-<id>-<n>-<writer>.parquet};
 * (4) the marker is written. A crash anywhere before (4) is repaired by the replay; a crash after it makes the
 * replay a no-op. Readers may briefly see part of a batch while step (3) runs, never a row twice.
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
 * <p>Runs on the driver; the Spark write itself runs on executors. Every I/O failure is thrown as
 * {@link UncheckedIOException} so the streaming query fails and resumes from its checkpoint.
 */
public final class LakeBatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LakeBatchWriter.class);
    private static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9]{1,36}");
    static final String BOOKKEEPING_DIR = "_streamtree";
    /** Hadoop's output committer setting for the {@code _SUCCESS} file; nothing reads it in the staging directory. */
    private static final String MARK_SUCCESSFUL_JOBS = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

    private final Path root;
    private final String writerId;
    private final Configuration hadoopConf;
    private final Clock clock;
    private final Map<String, String> parquetOptions;
    /** The highest batch id {@link #write} was called with; -1 before the first call. */
    private long highestAttempted = -1;

    /**
     * @param lakeRoot   the table location (any Hadoop file system URI; a relative path is resolved against the
     *                   working directory)
     * @param writerId   letters and digits identifying the writing query
     * @param hadoopConf the session's Hadoop configuration
     */
    public LakeBatchWriter(String lakeRoot, String writerId, Configuration hadoopConf, Clock clock) {
        this(lakeRoot, writerId, hadoopConf, clock, Map.of());
    }

    /**
     * @param parquetOptions options of every Parquet write, e.g. {@link LakeTable#parquetOptions}
     */
    public LakeBatchWriter(String lakeRoot, String writerId, Configuration hadoopConf, Clock clock,
                           Map<String, String> parquetOptions) {
        this.parquetOptions = Map.copyOf(parquetOptions);
        if (writerId == null || !WRITER_ID.matcher(writerId).matches()) {
            throw new IllegalArgumentException("lake writer id '" + writerId + "' must be 1-36 letters and digits");
        }
        this.hadoopConf = hadoopConf;
        this.writerId = writerId;
        this.clock = clock;
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
     * Writes one batch of lake rows (the {@link LakeTable#sparkSchema} columns). The caller should cache
     * {@code rows}; it is read once.
     */
    public LakeCommit write(Dataset<Row> rows, long batchId) {
        try {
            FileSystem fs = root.getFileSystem(hadoopConf);
            boolean mayHaveEarlierAttempt = highestAttempted < 0 || batchId <= highestAttempted;
            highestAttempted = Math.max(highestAttempted, batchId);
            Path marker = commitMarker(batchId);
            if (mayHaveEarlierAttempt && fs.exists(marker)) {
                LakeCommit committed = readMarker(fs, marker);
                LOG.info("lake batch {} was already committed by an earlier attempt ({} files); not writing it again",
                        batchId, committed.files());
                return committed;
            }
            Path staging = new Path(root, BOOKKEEPING_DIR + "/staging/" + writerId + "/" + batchName(batchId));
            rows.write().mode(SaveMode.Overwrite).options(parquetOptions)
                    .option(MARK_SUCCESSFUL_JOBS, "false")
                    .partitionBy(LakeLayout.EVENT_DATE, LakeLayout.EVENT_HOUR)
                    .parquet(staging.toString());
            TreeMap<LakePartition, List<Path>> staged = stagedFiles(fs, staging);
            int n = 0;
            for (var entry : staged.entrySet()) {
                Path partitionDir = new Path(root, entry.getKey().path());
                if (mayHaveEarlierAttempt) {
                    deleteEarlierAttempts(fs, partitionDir, batchId);
                }
                fs.mkdirs(partitionDir);
                for (Path file : entry.getValue()) {
                    Path target = new Path(partitionDir, fileName(batchId, n++));
                    if (!fs.rename(file, target)) {
                        throw new IOException("could not move " + file + " to " + target);
                    }
                }
            }
            LakeCommit commit = new LakeCommit(batchId, false, n, new ArrayList<>(staged.keySet()));
            writeMarker(fs, marker, commit);
            fs.delete(staging, true);
            return commit;
        } catch (IOException e) {
            throw new UncheckedIOException("writing micro-batch " + batchId + " to the lake at " + root + " failed: "
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

    private static TreeMap<LakePartition, List<Path>> stagedFiles(FileSystem fs, Path staging) throws IOException {
        TreeMap<LakePartition, List<Path>> files = new TreeMap<>();
        if (!fs.exists(staging)) {
            return files;
        }
        // One recursive listing (a single request on object stores); the files sit in <date>/<hour>/ below staging.
        RemoteIterator<LocatedFileStatus> listing = fs.listFiles(staging, true);
        while (listing.hasNext()) {
            Path file = listing.next().getPath();
            Path hourDir = file.getParent();
            if (!file.getName().endsWith(".parquet") || file.getName().startsWith(".")
                    || !hourDir.getName().startsWith(LakeLayout.EVENT_HOUR + "=")
                    || !hourDir.getParent().getName().startsWith(LakeLayout.EVENT_DATE + "=")) {
                continue;
            }
            LakePartition partition = LakePartition.parsePath(hourDir.getParent().getName() + "/" + hourDir.getName());
            files.computeIfAbsent(partition, p -> new ArrayList<>()).add(file);
        }
        files.values().forEach(parquet -> parquet.sort(Comparator.comparing(Path::getName)));
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
