package dev.streamtree.kafka.embedded;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The broker configuration every streamtree test and local broker runs with, in one place: the in-process
 * {@link EmbeddedKafka} sets these as broker properties and the Testcontainers broker of the tests
 * ({@code TestKafka}) as the image's {@code KAFKA_*} environment variables, so a test behaves the same on
 * either (a 10 MiB record is accepted by both, say).
 */
public final class BrokerSettings {

    /** Largest record batch the broker accepts: 16 MiB, so oversized-record tests reach the job. */
    public static final int MESSAGE_MAX_BYTES = 16 * 1024 * 1024;

    private BrokerSettings() {
    }

    /** Broker properties of a single-node broker: replication 1, no topic auto-creation, 2 partitions by default. */
    public static Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "2");
        p.put("message.max.bytes", String.valueOf(MESSAGE_MAX_BYTES));
        p.put("replica.fetch.max.bytes", String.valueOf(MESSAGE_MAX_BYTES));
        p.put("log.retention.hours", "168");
        return p;
    }

    /**
     * The same properties as the environment of the {@code apache/kafka} image, whose start script turns
     * {@code KAFKA_MESSAGE_MAX_BYTES} into {@code message.max.bytes} (dots to underscores, upper case).
     */
    public static Map<String, String> containerEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        properties().forEach((key, value) -> env.put("KAFKA_" + key.replace('.', '_').toUpperCase(Locale.ROOT), value));
        return env;
    }
}
