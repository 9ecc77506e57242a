package dev.streamtree.lake.maintenance;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link LakeCompaction} rewrites closed hours.
 *
 * @param targetFileSizeBytes the size compacted files aim at (Iceberg's {@code target-file-size-bytes})
 * @param grace               how long after an hour ends it is left alone: late events and the writer's
 *                            commit interval land in it first; must be at least the commit interval
 * @param maxCommits          partial progress: the rewrite commits in up to this many steps, so a failure or a kill
 *                            part-way keeps the hours already committed
 */
public record CompactionOptions(long targetFileSizeBytes, Duration grace, int maxCommits) {

    public static final long DEFAULT_TARGET_FILE_SIZE_BYTES = 128L * 1024 * 1024;
    public static final Duration DEFAULT_GRACE = Duration.ofHours(2);
    public static final int DEFAULT_MAX_COMMITS = 10;

    public CompactionOptions {
        if (targetFileSizeBytes < 1024 * 1024) {
            throw new IllegalArgumentException("compaction target file size must be at least 1 MB, got " + targetFileSizeBytes + " bytes");
        }
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("compaction grace period must not be negative, got " + grace);
        }
        if (maxCommits < 1) {
            throw new IllegalArgumentException("compaction max commits must be >= 1, got " + maxCommits);
        }
    }

    public static CompactionOptions defaults() {
        return new CompactionOptions(DEFAULT_TARGET_FILE_SIZE_BYTES, DEFAULT_GRACE, DEFAULT_MAX_COMMITS);
    }
}
