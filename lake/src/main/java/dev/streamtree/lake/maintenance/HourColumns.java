package dev.streamtree.lake.maintenance;

import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;

import java.util.Objects;

/**
 * The two identity partition columns of a lake table's hour partitions: a {@code yyyy-MM-dd} date and an hour of
 * day, both UTC. The events and predictions tables use {@code event_date} and {@code event_hour}, the labels table
 * {@code labelled_date} and {@code labelled_hour}; compaction, retention and status work on any of them.
 *
 * @param date the date column's name
 * @param hour the hour column's name
 */
public record HourColumns(String date, String hour) {

    public HourColumns {
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(hour, "hour");
    }

    /**
     * The spec's identity fields named {@code <prefix>_date} and {@code <prefix>_hour} with the same prefix.
     *
     * @throws IllegalStateException when the spec has no such pair
     */
    public static HourColumns of(PartitionSpec spec) {
        for (PartitionField date : spec.fields()) {
            if (!date.transform().isIdentity() || !date.name().endsWith("_date")) {
                continue;
            }
            String prefix = date.name().substring(0, date.name().length() - "_date".length());
            for (PartitionField hour : spec.fields()) {
                if (hour.transform().isIdentity() && hour.name().equals(prefix + "_hour")) {
                    return new HourColumns(date.name(), hour.name());
                }
            }
        }
        throw new IllegalStateException("partition spec " + spec + " has no identity <x>_date and <x>_hour fields "
                + "(docs/lake.md's layout: event_date/event_hour, or labelled_date/labelled_hour for labels)");
    }
}
