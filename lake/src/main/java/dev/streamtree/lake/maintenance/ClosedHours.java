package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The hour partitions that ended at or before a cut-off instant: those compaction may rewrite (cut-off = now minus
 * the grace period) and those retention deletes (cut-off = now minus the retention). An hour {@code [h, h+1h)}
 * ended by the cut-off {@code c} when {@code h + 1h <= c}, that is when its partition sorts before the partition of
 * {@code c} truncated to the hour.
 */
public final class ClosedHours {

    private ClosedHours() {
    }

    /** The first hour partition that has not ended by {@code now - age}. */
    public static LakePartition firstOpen(Instant now, Duration age) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(age, "age");
        return LakePartition.of(now.minus(age).truncatedTo(ChronoUnit.HOURS));
    }

    /** Whether {@code partition} ended before {@code firstOpen} began. */
    public static boolean isClosed(LakePartition partition, LakePartition firstOpen) {
        return partition.compareTo(firstOpen) < 0;
    }

    /** {@link #before(LakePartition, HourColumns)} on the events table's {@code event_date} and {@code event_hour}. */
    public static Expression before(LakePartition firstOpen) {
        return before(firstOpen, new HourColumns(LakeLayout.EVENT_DATE, LakeLayout.EVENT_HOUR));
    }

    /**
     * An Iceberg row filter matching the partitions before {@code firstOpen}:
     * {@code date < d OR (date = d AND hour < h)} on the table's hour columns. It names only partition columns, so
     * it selects whole files and a delete with it is metadata-only.
     */
    public static Expression before(LakePartition firstOpen, HourColumns columns) {
        return Expressions.or(
                Expressions.lessThan(columns.date(), firstOpen.eventDate()),
                Expressions.and(Expressions.equal(columns.date(), firstOpen.eventDate()),
                        Expressions.lessThan(columns.hour(), firstOpen.eventHour())));
    }
}
