package dev.streamtree.common.catalog;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One partition of the lake table: an event date and hour in UTC.
 *
 * @param eventDate {@code yyyy-MM-dd}
 * @param eventHour 0-23
 */
public record LakePartition(String eventDate, int eventHour) implements Serializable, Comparable<LakePartition> {

    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    public LakePartition {
        if (eventDate == null || !DATE.matcher(eventDate).matches()) {
            throw new IllegalArgumentException("partition date '" + eventDate + "' is not yyyy-MM-dd");
        }
        try {
            LocalDate.parse(eventDate);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("partition date '" + eventDate + "' is not a calendar date", e);
        }
        if (eventHour < 0 || eventHour > 23) {
            throw new IllegalArgumentException("partition hour " + eventHour + " is outside 0-23");
        }
    }

    /** The partition an event with this event time belongs to. */
    public static LakePartition of(Instant eventTime) {
        ZonedDateTime utc = eventTime.atZone(ZoneOffset.UTC);
        return new LakePartition(utc.toLocalDate().toString(), utc.getHour());
    }

    /**
     * Parses a relative partition directory, {@code event_date=2024-05-01/event_hour=7}.
     *
     * @throws IllegalArgumentException naming the path when it is not one
     */
    public static LakePartition parsePath(String relativePath) {
        String[] parts = relativePath == null ? new String[0] : relativePath.split("/");
        String datePrefix = LakeLayout.EVENT_DATE + "=";
        String hourPrefix = LakeLayout.EVENT_HOUR + "=";
        if (parts.length != 2 || !parts[0].startsWith(datePrefix) || !parts[1].startsWith(hourPrefix)) {
            throw new IllegalArgumentException("'" + relativePath + "' is not a partition path like "
                    + datePrefix + "2024-05-01/" + hourPrefix + "7");
        }
        int hour;
        try {
            hour = Integer.parseInt(parts[1].substring(hourPrefix.length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + relativePath + "' has a non-numeric hour", e);
        }
        return new LakePartition(parts[0].substring(datePrefix.length()), hour);
    }

    /** The directory below the table location, {@code event_date=2024-05-01/event_hour=7}. */
    public String path() {
        return LakeLayout.EVENT_DATE + "=" + eventDate + "/" + LakeLayout.EVENT_HOUR + "=" + eventHour;
    }

    /** Partition values in partition-column order, as catalogs take them. */
    public List<String> values() {
        return List.of(eventDate, Integer.toString(eventHour));
    }

    @Override
    public int compareTo(LakePartition other) {
        int byDate = eventDate.compareTo(other.eventDate);
        return byDate != 0 ? byDate : Integer.compare(eventHour, other.eventHour);
    }

    @Override
    public String toString() {
        return path();
    }
}
