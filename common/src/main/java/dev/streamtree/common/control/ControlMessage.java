package dev.streamtree.common.control;

import java.time.Instant;
import java.util.Objects;

/**
 * A message on the control topic (JSON value, key = request id). Requests ask the retrain scheduler for a
 * retrain; statuses report what became of a request; drift detections report that a serving version's error
 * rate rose (published by the monitor, acted on by the scheduler).
 */
public sealed interface ControlMessage
        permits ControlMessage.RetrainRequest, ControlMessage.RetrainStatus, ControlMessage.DriftDetected {

    String REQUEST_TYPE = "retrain-request";
    String STATUS_TYPE = "retrain-status";
    String DRIFT_TYPE = "drift-detected";

    /** The request (or detection) this message belongs to; also the Kafka key. */
    String requestId();

    /**
     * {@code {"type":"retrain-request","request_id","requested_at","force":bool,"requested_by","reason",
     * "train_from"?}}. {@code reason} defaults to {@code request} and {@code train_from} to none when absent, so
     * requests written before they existed still decode.
     *
     * @param force       promote even when the candidate is worse than the champion
     * @param requestedBy free text naming the caller (user, host, "timer")
     * @param reason      why the retrain was asked for
     * @param trainFrom   for a drift retrain, the estimated change point: train only on rows with
     *                    {@code event_time >= trainFrom}; null for the usual window
     */
    record RetrainRequest(String requestId, Instant requestedAt, boolean force, String requestedBy, Reason reason,
                          Instant trainFrom) implements ControlMessage {
        public RetrainRequest {
            requireId(requestId);
            Objects.requireNonNull(requestedAt, "requested_at");
            requestedBy = requestedBy == null ? "" : requestedBy;
            reason = reason == null ? Reason.REQUEST : reason;
        }

        /** An on-demand request ({@link Reason#REQUEST}) over the usual window. */
        public RetrainRequest(String requestId, Instant requestedAt, boolean force, String requestedBy) {
            this(requestId, requestedAt, force, requestedBy, Reason.REQUEST, null);
        }
    }

    /**
     * {@code {"type":"drift-detected","request_id","version","detector","detected_at","change_point",
     * "change_point_exact","error_before","error_after","labelled","items_after_change"}}, key = the detection id
     * ({@code drift-<version>-<detected-at millis>}).
     *
     * @param version          the serving model version whose error stream changed
     * @param detector         {@code adwin} or {@code page-hinkley}
     * @param detectedAt       wall-clock time of the detection
     * @param changePoint      estimated start of the change as an event time; a retrain for this drift trains only
     *                         on rows at or after it
     * @param changePointExact false when the change point is the oldest time the monitor still held (later than
     *                         the true one)
     * @param errorBefore      error rate of the version's labelled predictions before the change point
     * @param errorAfter       error rate after it
     * @param labelled         labelled predictions of this version seen when the detector fired
     * @param itemsAfterChange how many of them lie after the change point
     */
    record DriftDetected(String requestId, String version, String detector, Instant detectedAt, Instant changePoint,
                         boolean changePointExact, double errorBefore, double errorAfter, long labelled,
                         long itemsAfterChange) implements ControlMessage {
        public DriftDetected {
            requireId(requestId);
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(detector, "detector");
            Objects.requireNonNull(detectedAt, "detected_at");
            Objects.requireNonNull(changePoint, "change_point");
        }

        /** The detection id used as key: {@code drift-<version>-<detectedAt millis>}. */
        public static String idFor(String version, Instant detectedAt) {
            return "drift-" + version + "-" + detectedAt.toEpochMilli();
        }
    }

    /** Why a retrain was asked for (the control topic's {@code reason}). */
    enum Reason {
        /** the scheduler's interval */
        TIMER,
        /** on demand ({@code retrain trigger}) */
        REQUEST,
        /** the first model, once enough labelled rows exist */
        BOOTSTRAP,
        /** a drift detection; trains from its change point */
        DRIFT;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the text when it is not a reason */
        public static Reason parse(String text) {
            for (Reason r : values()) {
                if (r.wireName().equals(text)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not a retrain reason (timer, request, bootstrap, drift)");
        }
    }

    /**
     * {@code {"type":"retrain-status","request_id","status":"started|promoted|kept|failed","version","detail","at"}}.
     *
     * @param version the candidate version, or null (started, or failed before a version was committed)
     */
    record RetrainStatus(String requestId, Status status, String version, String detail, Instant at) implements ControlMessage {
        public RetrainStatus {
            requireId(requestId);
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(at, "at");
            detail = detail == null ? "" : detail;
        }

        public boolean isFinal() {
            return status != Status.STARTED;
        }
    }

    /** What became of a retrain request. */
    enum Status {
        STARTED, PROMOTED, KEPT, FAILED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * @throws IllegalArgumentException naming the text when it is not a status
         */
        public static Status parse(String text) {
            for (Status s : values()) {
                if (s.wireName().equals(text)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not a retrain status (started, promoted, kept, failed)");
        }
    }

    /** Request ids are keys and appear in logs: letters, digits and {@code ._:-}, at most 128 characters. */
    private static void requireId(String id) {
        if (id == null || !id.matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new IllegalArgumentException("request id '" + id + "' must be 1-128 letters, digits, '.', '_', ':' or '-'");
        }
    }
}
