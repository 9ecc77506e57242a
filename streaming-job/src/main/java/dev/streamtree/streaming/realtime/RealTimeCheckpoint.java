package dev.streamtree.streaming.realtime;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Repairs a real-time scoring checkpoint that records no batch but is not empty, before the query starts on it.
 *
 * <p>Spark (since SPARK-53103) refuses to start a query whose offset log holds no batch while its {@code commits} or
 * {@code state} directory holds anything ({@code STATE_STORE_CHECKPOINT_LOCATION_NOT_EMPTY ... should be empty on batch
 * 0}). {@code RealTimeKillIT} met that state once, on 2026-12-03, after SIGKILLs of the job in real-time mode (the
 * Spark 4.1.0 sequence that leaves it was not pinned down: Spark writes a batch's offsets before its commit). Such a
 * checkpoint records no progress, so Spark would start the query at {@code --starting-offsets} either way; the repair
 * moves the stray {@code commits} and {@code state} directories aside ({@code <name>.unstarted-<millis>}, kept for
 * inspection) and logs what it moved, so the query starts instead of failing on every restart.
 */
final class RealTimeCheckpoint {

    private static final Logger LOG = LoggerFactory.getLogger(RealTimeCheckpoint.class);
    private static final String OFFSETS = "offsets";
    private static final List<String> STRAY = List.of("commits", "state");

    private RealTimeCheckpoint() {
    }

    /**
     * Moves {@code commits} and {@code state} aside when {@code offsets} holds no file; otherwise changes nothing.
     *
     * @return the directories moved, as they are named now
     * @throws UncheckedIOException when the checkpoint cannot be listed or a directory cannot be moved
     */
    static List<Path> repairUnstarted(String checkpoint, Configuration conf, Clock clock) {
        Path root = new Path(checkpoint);
        List<Path> moved = new ArrayList<>();
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root) || hasFiles(fs, new Path(root, OFFSETS))) {
                return moved;
            }
            for (String name : STRAY) {
                Path dir = new Path(root, name);
                if (hasFiles(fs, dir)) {
                    Path aside = new Path(root, name + ".unstarted-" + clock.millis());
                    if (!fs.rename(dir, aside)) {
                        throw new IOException("cannot rename " + dir + " to " + aside);
                    }
                    moved.add(aside);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the real-time checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
        if (!moved.isEmpty()) {
            LOG.warn("real-time checkpoint {} records no batch (its offset log is empty) but holds {}: moved aside so the "
                    + "scoring query can start at --starting-offsets, as it would on an empty checkpoint", checkpoint, moved);
        }
        return moved;
    }

    private static boolean hasFiles(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return false;
        }
        FileStatus[] entries = fs.listStatus(dir);
        return entries != null && entries.length > 0;
    }
}
