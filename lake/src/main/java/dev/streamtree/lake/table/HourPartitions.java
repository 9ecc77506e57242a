package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakePartition;

import java.time.Instant;

/**
 * The lake partition of event times, remembering the last one: a batch's events mostly share one hour, and
 * formatting the date showed up per record in profiles. Not thread-safe; one per task.
 */
public final class HourPartitions {

    private LakePartition last;
    private long lastHour;

    public LakePartition of(Instant eventTime) {
        long hour = Math.floorDiv(eventTime.getEpochSecond(), 3600L);
        if (last == null || hour != lastHour) {
            last = LakePartition.of(eventTime);
            lastHour = hour;
        }
        return last;
    }
}
