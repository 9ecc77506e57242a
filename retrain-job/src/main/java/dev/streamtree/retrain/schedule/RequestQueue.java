package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.Reason;
import dev.streamtree.common.control.ControlMessage.RetrainRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pending retrain requests. Requests that arrive while a retrain runs wait here and are coalesced: the next
 * {@link #takeAll()} hands all of them to one retrain, which is forced when any of them asked for force.
 * Thread-safe.
 */
public final class RequestQueue {

    /**
     * Requests served together by one retrain.
     *
     * @param requests the requests
     * @param floor    the scheduler's change-point floor (the change point of the last promoted drift retrain): no
     *                 retrain reads rows before it; null for none
     */
    public record Batch(List<RetrainRequest> requests, Instant floor) {
        public Batch {
            requests = List.copyOf(requests);
        }

        public Batch(List<RetrainRequest> requests) {
            this(requests, null);
        }

        /** This batch with its rows bounded below by {@code changePoint} too (null: unchanged). */
        public Batch notBefore(Instant changePoint) {
            return new Batch(requests, later(floor, changePoint));
        }

        public boolean forced() {
            return requests.stream().anyMatch(RetrainRequest::force);
        }

        public List<String> requestIds() {
            return requests.stream().map(RetrainRequest::requestId).toList();
        }

        /**
         * The reason the retrain records: drift when any request is a drift's (its rows start at the change point,
         * which serves the others too: the rows before a change describe another concept), else bootstrap, else
         * request, else timer.
         */
        public Reason reason() {
            for (Reason r : List.of(Reason.DRIFT, Reason.BOOTSTRAP, Reason.REQUEST)) {
                if (requests.stream().anyMatch(q -> q.reason() == r)) {
                    return r;
                }
            }
            return Reason.TIMER;
        }

        /** The latest of the requests' change points and the floor: no row before it is read; null for none. */
        public Instant trainFrom() {
            Instant from = floor;
            for (RetrainRequest r : requests) {
                from = later(from, r.trainFrom());
            }
            return from;
        }

        private static Instant later(Instant a, Instant b) {
            if (a == null) {
                return b;
            }
            return b == null || !b.isAfter(a) ? a : b;
        }
    }

    private final List<RetrainRequest> pending = new ArrayList<>();

    public synchronized void offer(RetrainRequest request) {
        if (pending.stream().noneMatch(r -> r.requestId().equals(request.requestId()))) {
            pending.add(request);
            notifyAll();
        }
    }

    /** Waits until at least one request is pending and takes all of them. */
    public synchronized Batch takeAll() throws InterruptedException {
        while (pending.isEmpty()) {
            wait();
        }
        Batch batch = new Batch(pending);
        pending.clear();
        return batch;
    }

    public synchronized int size() {
        return pending.size();
    }
}
