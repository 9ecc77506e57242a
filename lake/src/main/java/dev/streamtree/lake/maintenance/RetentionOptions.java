package dev.streamtree.lake.maintenance;

import dev.streamtree.common.config.Durations;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link LakeRetention} keeps.
 *
 * @param retain           how much event time the lake keeps: hour partitions that ended longer ago are deleted;
 *                         empty keeps every partition (then the table property {@value #RETAIN_PROPERTY} applies if set)
 * @param snapshotsFor     snapshots younger than this are never expired (time travel reaches this far back)
 * @param minSnapshots     and at least this many of the newest snapshots are kept, however old
 * @param orphanAge        files in no snapshot are deleted only when older than this; it must stay well above the
 *                         writer's commit interval, because a batch's files wait in the journal until the next commit
 */
public record RetentionOptions(Optional<Duration> retain, Duration snapshotsFor, int minSnapshots, Duration orphanAge) {

    /** Table property read when no retention is given: a duration such as {@code 90d}. */
    public static final String RETAIN_PROPERTY = "streamtree.retain";
    public static final Duration DEFAULT_SNAPSHOTS_FOR = Duration.ofDays(1);
    public static final int DEFAULT_MIN_SNAPSHOTS = 10;
    public static final Duration DEFAULT_ORPHAN_AGE = Duration.ofDays(3);
    /** The least orphan age accepted: one hour, many commit intervals (60 s by default). */
    public static final Duration MIN_ORPHAN_AGE = Duration.ofHours(1);

    public RetentionOptions {
        Objects.requireNonNull(retain, "retain");
        retain.ifPresent(r -> {
            if (r.compareTo(Duration.ofHours(1)) < 0) {
                throw new IllegalArgumentException("retention must be at least 1h, got " + Durations.format(r));
            }
        });
        Objects.requireNonNull(snapshotsFor, "snapshotsFor");
        if (snapshotsFor.isNegative()) {
            throw new IllegalArgumentException("snapshot retention must not be negative, got " + snapshotsFor);
        }
        if (minSnapshots < 1) {
            throw new IllegalArgumentException("snapshots to keep must be >= 1, got " + minSnapshots);
        }
        Objects.requireNonNull(orphanAge, "orphanAge");
        if (orphanAge.compareTo(MIN_ORPHAN_AGE) < 0) {
            throw new IllegalArgumentException("orphan file age must be at least " + Durations.format(MIN_ORPHAN_AGE)
                    + " (files wait for the writer's next commit), got " + Durations.format(orphanAge));
        }
    }

    public static RetentionOptions defaults(Optional<Duration> retain) {
        return new RetentionOptions(retain, DEFAULT_SNAPSHOTS_FOR, DEFAULT_MIN_SNAPSHOTS, DEFAULT_ORPHAN_AGE);
    }

    /** {@link #retain} if given, else the table's {@value #RETAIN_PROPERTY} property. */
    public Optional<Duration> retainFor(java.util.Map<String, String> tableProperties) {
        if (retain.isPresent()) {
            return retain;
        }
        String property = tableProperties.get(RETAIN_PROPERTY);
        if (property == null || property.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Durations.parse(property));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("table property " + RETAIN_PROPERTY + ": " + e.getMessage(), e);
        }
    }
}
