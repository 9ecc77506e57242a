package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows the control topic from the moment it is created, so a caller can publish a request and then wait
 * for that request's statuses without missing any.
 */
public final class StatusWaiter implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;

    public StatusWaiter(ControlChannel channel, Duration connectTimeout) {
        this.consumer = channel.tailConsumer(connectTimeout);
    }

    /**
     * Waits for the final status (promoted, kept or failed) of {@code requestId}, passing every status of that
     * request to {@code progress} as it arrives.
     *
     * @return empty when none arrived within {@code timeout}
     */
    public Optional<RetrainStatus> awaitFinal(String requestId, Duration timeout, Consumer<RetrainStatus> progress) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                Optional<ControlMessage> message = ControlChannel.decode(record);
                if (message.isPresent() && message.get() instanceof RetrainStatus status && status.requestId().equals(requestId)) {
                    progress.accept(status);
                    if (status.isFinal()) {
                        return Optional.of(status);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Every status that arrives within {@code timeout}. */
    public java.util.List<RetrainStatus> poll(Duration timeout) {
        java.util.List<RetrainStatus> out = new java.util.ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            ControlChannel.decode(record).filter(RetrainStatus.class::isInstance).map(RetrainStatus.class::cast).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
