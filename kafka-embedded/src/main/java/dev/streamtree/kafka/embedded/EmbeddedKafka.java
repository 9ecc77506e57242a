package dev.streamtree.kafka.embedded;

import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker (combined KRaft controller + broker) running inside this JVM, built on
 * Kafka's own {@code kafka.testkit.KafkaClusterTestKit}. It speaks the ordinary Kafka protocol on a loopback
 * port, so every client (ingest, Spark's Kafka source and sink, kcat) talks to it as to any cluster.
 *
 * <p>Lifecycle: {@link #start(int)} formats fresh log directories in a temporary folder and waits until the
 * broker is ready; {@link #close()} stops it and deletes the folder. Data does not survive a restart.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts a broker on a free port. */
    public static EmbeddedKafka start() {
        return start(0);
    }

    /**
     * Starts a broker listening on {@code localhost:port} (0 picks a free port).
     *
     * @throws IllegalStateException when the broker cannot start (for example, the port is taken)
     */
    public static EmbeddedKafka start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("broker port must be 0..65535, got " + port);
        }
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("num.partitions", "2")
                .setConfigProp("message.max.bytes", String.valueOf(16 * 1024 * 1024))
                .setConfigProp("log.retention.hours", "168");
        if (port != 0) {
            builder.setConfigProp("listeners", "EXTERNAL://localhost:" + port + ",CONTROLLER://localhost:0");
        }
        KafkaClusterTestKit cluster = null;
        try {
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("embedded Kafka broker failed to start"
                    + (port == 0 ? "" : " on port " + port) + ": " + e.getMessage(), e);
        }
    }

    /** host:port of the broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics with the given partition count, leaving existing ones as they are. */
    public void createTopics(int partitions, Collection<String> topics) {
        createTopics(bootstrapServers(), partitions, topics);
    }

    /** Creates topics on any cluster (replication factor 1 is enough for the local broker). */
    public static void createTopics(String bootstrapServers, int partitions, Collection<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> newTopics = topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList();
            for (var entry : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + topics, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out creating topics " + topics + " on " + bootstrapServers, e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka broker did not shut down cleanly", e);
        }
    }
}
