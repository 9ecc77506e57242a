package dev.streamtree.kafka.embedded;

import kafka.server.BrokerServer;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

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
 * broker is ready; {@link #close()} stops it and deletes the folder. Between the two, {@link #stopBroker()} and
 * {@link #startBroker()} take the broker down and bring it back on the same port and the same log directories,
 * with every topic, record and committed offset kept: an outage as clients see it. A new {@code start} always
 * begins empty.
 *
 * <p>Not thread-safe: one thread drives the lifecycle.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;
    private boolean brokerRunning = true;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
    }

    /** Starts a broker on a free port (chosen once, so {@link #startBroker()} comes back on the same one). */
    public static EmbeddedKafka start() {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return startOn(freePort());
            } catch (IllegalStateException e) {
                // Another process may take the port between freePort() and the broker's bind.
                last = e;
            }
        }
        throw last;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port for the embedded broker", e);
        }
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
        return port == 0 ? start() : startOn(port);
    }

    private static EmbeddedKafka startOn(int port) {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        BrokerSettings.properties().forEach(builder::setConfigProp);
        // Fixed ports for both listeners, so a restart binds the same ones (clients and the quorum keep them).
        builder.setConfigProp("listeners", "EXTERNAL://localhost:" + port + ",CONTROLLER://localhost:" + freePort());
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
            throw new IllegalStateException("embedded Kafka broker failed to start on port " + port + ": "
                    + e.getMessage(), e);
        }
    }

    /** host:port of the broker, for {@code bootstrap.servers}; the same before and after a restart. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Shuts the broker down cleanly (its listener closes, clients get connection refused) and keeps its log
     * directories. Only the broker role stops: the KRaft controller in this JVM (its own port, which clients never
     * use) keeps running, as a dedicated controller quorum does while one broker of a cluster restarts. Kafka's
     * combined-mode servers cannot restart their controller role in-process. Does nothing if it is already down.
     *
     * @throws IllegalStateException when the shutdown fails
     */
    public void stopBroker() {
        if (!brokerRunning) {
            return;
        }
        try {
            cluster.brokers().values().forEach(BrokerServer::shutdown);
        } catch (RuntimeException e) {
            throw new IllegalStateException("embedded Kafka broker " + bootstrapServers + " did not stop cleanly: "
                    + e.getMessage(), e);
        }
        brokerRunning = false;
        LOG.info("embedded Kafka broker {} stopped; log directories kept", bootstrapServers);
    }

    /**
     * Starts the broker stopped by {@link #stopBroker()} again, on the same port and log directories, and waits
     * until it is ready. Does nothing if it is running.
     *
     * @throws IllegalStateException when it cannot start (for example, another process took the port meanwhile)
     */
    public void startBroker() {
        if (brokerRunning) {
            return;
        }
        long started = System.nanoTime();
        try {
            cluster.brokers().values().forEach(BrokerServer::startup);
            cluster.waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting embedded Kafka broker " + bootstrapServers, e);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka broker " + bootstrapServers + " failed to restart: "
                    + e.getMessage(), e);
        }
        if (!bootstrapServers.equals(cluster.bootstrapServers())) {
            throw new IllegalStateException("embedded Kafka broker came back on " + cluster.bootstrapServers()
                    + " instead of " + bootstrapServers);
        }
        brokerRunning = true;
        LOG.info("embedded Kafka broker {} restarted in {} ms", bootstrapServers,
                (System.nanoTime() - started) / 1_000_000);
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
