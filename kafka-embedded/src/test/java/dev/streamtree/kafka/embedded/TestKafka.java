package dev.streamtree.kafka.embedded;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

import java.util.Collection;

/**
 * The broker integration tests run against: Testcontainers' Kafka when a Docker engine is reachable, otherwise
 * the in-process {@link EmbeddedKafka}. Either way it is a real broker on a loopback port.
 *
 * <p>Shared through this module's test-jar; use it from {@code *IT} classes only.
 */
public final class TestKafka implements AutoCloseable {

    private static final String IMAGE = "apache/kafka:3.9.1";

    private final AutoCloseable broker;
    private final String bootstrapServers;
    private final String kind;

    private TestKafka(AutoCloseable broker, String bootstrapServers, String kind) {
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
        this.kind = kind;
    }

    public static TestKafka start() {
        if (dockerAvailable()) {
            KafkaContainer container = new KafkaContainer(IMAGE).withEnv(BrokerSettings.containerEnvironment());
            container.start();
            return new TestKafka(container, container.getBootstrapServers(), "testcontainers " + IMAGE);
        }
        EmbeddedKafka embedded = EmbeddedKafka.start();
        return new TestKafka(embedded, embedded.bootstrapServers(), "embedded KRaft");
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Which broker this is, for test logs. */
    public String kind() {
        return kind;
    }

    public void createTopics(int partitions, Collection<String> topics) {
        EmbeddedKafka.createTopics(bootstrapServers, partitions, topics);
    }

    @Override
    public void close() throws Exception {
        broker.close();
    }
}
