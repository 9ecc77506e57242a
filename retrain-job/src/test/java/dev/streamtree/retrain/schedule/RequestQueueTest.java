package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RequestQueueTest {

    private static RetrainRequest request(String id, boolean force) {
        return new RetrainRequest(id, Instant.EPOCH, force, "test");
    }

    @Test
    void requestsArrivingTogetherAreServedByOneBatchForcedIfAnyIsForced() throws Exception {
        RequestQueue queue = new RequestQueue();
        queue.offer(request("a", false));
        queue.offer(request("b", true));
        queue.offer(request("a", false)); // duplicate delivery
        RequestQueue.Batch batch = queue.takeAll();
        assertThat(batch.requestIds()).containsExactly("a", "b");
        assertThat(batch.forced()).isTrue();
        assertThat(queue.size()).isZero();
    }

    @Test
    void takeAllWaitsForTheNextRequest() throws Exception {
        RequestQueue queue = new RequestQueue();
        CompletableFuture<RequestQueue.Batch> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.takeAll();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(taken).isNotDone();
        queue.offer(request("c", false));
        assertThat(taken.get(5, TimeUnit.SECONDS).requestIds()).containsExactly("c");
        assertThat(taken.get().forced()).isFalse();
    }
}
