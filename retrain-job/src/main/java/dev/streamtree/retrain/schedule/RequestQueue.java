package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.RetrainRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Pending retrain requests. Requests that arrive while a retrain runs wait here and are coalesced: the next
 * {@link #takeAll()} hands all of them to one retrain, which is forced when any of them asked for force.
 * Thread-safe.
 */
public final class RequestQueue {

    /** Requests served together by one retrain. */
    public record Batch(List<RetrainRequest> requests) {
        public Batch {
            requests = List.copyOf(requests);
        }

        public boolean forced() {
            return requests.stream().anyMatch(RetrainRequest::force);
        }

        public List<String> requestIds() {
            return requests.stream().map(RetrainRequest::requestId).toList();
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
