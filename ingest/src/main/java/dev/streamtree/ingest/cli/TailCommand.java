package dev.streamtree.ingest.cli;

import dev.streamtree.common.topic.Topics;
import dev.streamtree.ingest.tail.RecordPrinter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Print the records of a topic, one per line (the predictions topic by default).",
                "Reads every partition without joining a consumer group, so it never moves anyone's offsets."})
public final class TailCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", defaultValue = Topics.DEFAULT_PREDICTIONS, description = "Topic to read (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offset instead of the end.")
    boolean fromBeginning;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many records; 0 = no limit.")
    long max;

    @Option(names = "--idle-timeout", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Stop when no record arrives for this long (default: keep waiting).")
    Duration idleTimeout;

    @Option(names = "--metadata", description = "Prefix each line with topic/partition@offset, key and headers.")
    boolean metadata;

    private final PrintStream out;

    public TailCommand() {
        this(System.out);
    }

    TailCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Properties props = kafka.settings().toProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamtree-tail");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + kafka.bootstrapServers);
            }
            List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(assigned);
            if (fromBeginning) {
                consumer.seekToBeginning(assigned);
            } else {
                consumer.seekToEnd(assigned);
            }
            long printed = 0;
            long lastRecordAt = System.nanoTime();
            while (max == 0 || printed < max) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (idleTimeout != null && System.nanoTime() - lastRecordAt > idleTimeout.toNanos()) {
                        break;
                    }
                    continue;
                }
                lastRecordAt = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    out.println(RecordPrinter.line(record, metadata));
                    if (++printed == max) {
                        break;
                    }
                }
            }
            out.flush();
            return 0;
        }
    }
}
