package dev.streamtree.launcher.broker;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.monitor.service.MonitorService;
import dev.streamtree.kafka.embedded.EmbeddedKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run a real single-node Kafka broker (KRaft) in this process and create the streamtree topics.",
                "Data lives in a temporary folder and is deleted on exit (Ctrl-C)."})
public final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Listener port on localhost (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Override
    public Integer call() throws InterruptedException {
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port)) {
            Topics topics = Topics.defaults();
            // The model-metrics topic is log-compacted (latest record per version), as the monitor creates it.
            MonitorService.createModelMetricsTopic(KafkaSettings.of(kafka.bootstrapServers()), topics.modelMetrics());
            kafka.createTopics(partitions, topics.all().stream().filter(t -> !t.equals(topics.modelMetrics())).toList());
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "broker-stop"));
            System.out.println("[broker] Kafka is up at " + kafka.bootstrapServers() + " with topics "
                    + Topics.defaults().all() + "; Ctrl-C stops it");
            stopped.await();
        }
        return 0;
    }
}
