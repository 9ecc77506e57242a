package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.Reason;
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

    @Test
    void aBatchWithADriftRequestIsADriftRetrainFromTheLatestChangePointAndTheFloor() {
        Instant change = Instant.parse("2026-12-02T10:00:00Z");
        RetrainRequest timer = new RetrainRequest("t", Instant.EPOCH, false, "timer", Reason.TIMER, null);
        RetrainRequest drift = new RetrainRequest("d", Instant.EPOCH, false, "monitor", Reason.DRIFT, change);
        RetrainRequest older = new RetrainRequest("o", Instant.EPOCH, false, "monitor", Reason.DRIFT, change.minusSeconds(60));
        RequestQueue.Batch batch = new RequestQueue.Batch(java.util.List.of(timer, older, drift));
        assertThat(batch.reason()).isEqualTo(Reason.DRIFT);
        assertThat(batch.trainFrom()).as("the latest change point wins").isEqualTo(change);
        assertThat(batch.notBefore(change.minusSeconds(5)).trainFrom()).as("an older floor").isEqualTo(change);
        assertThat(batch.notBefore(change.plusSeconds(5)).trainFrom()).as("a newer floor").isEqualTo(change.plusSeconds(5));

        RequestQueue.Batch timers = new RequestQueue.Batch(java.util.List.of(timer));
        assertThat(timers.reason()).isEqualTo(Reason.TIMER);
        assertThat(timers.trainFrom()).isNull();
        assertThat(timers.notBefore(change).trainFrom()).as("a timer retrain after a promoted drift retrain").isEqualTo(change);
        assertThat(new RequestQueue.Batch(java.util.List.of(timer, request("r", false))).reason()).isEqualTo(Reason.REQUEST);
        assertThat(new RequestQueue.Batch(java.util.List.of(timer, new RetrainRequest("b", Instant.EPOCH, false, "s",
                Reason.BOOTSTRAP, null))).reason()).isEqualTo(Reason.BOOTSTRAP);
    }
}
