package dev.streamtree.common.control;

import java.time.Instant;
import java.util.Objects;

/**
 * A message on the control topic (JSON value, key = request id). Requests ask the retrain scheduler for a
 * retrain; statuses report what became of a request.
 */
public sealed interface ControlMessage permits ControlMessage.RetrainRequest, ControlMessage.RetrainStatus {

    String REQUEST_TYPE = "retrain-request";
    String STATUS_TYPE = "retrain-status";

    /** The request this message belongs to; also the Kafka key. */
    String requestId();

    /**
     * {@code {"type":"retrain-request","request_id","requested_at","force":bool,"requested_by"}}.
     *
     * @param force       promote even when the candidate is worse than the champion
     * @param requestedBy free text naming the caller (user, host, "timer")
     */
    record RetrainRequest(String requestId, Instant requestedAt, boolean force, String requestedBy) implements ControlMessage {
        public RetrainRequest {
            requireId(requestId);
            Objects.requireNonNull(requestedAt, "requested_at");
            requestedBy = requestedBy == null ? "" : requestedBy;
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
