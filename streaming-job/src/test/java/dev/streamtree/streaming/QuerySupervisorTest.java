package dev.streamtree.streaming;

import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link QuerySupervisor} on real queries of a local Spark session (a rate source into {@code foreachBatch}), failed
 * with a stand-in for SPARK-55271: a NullPointerException whose top frame is {@code KafkaMicroBatchStream.metrics},
 * the frame {@link StreamingJob#isKafkaMetricsReplayBug} recognises.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QuerySupervisorTest {

    private static SparkSession spark;

    @TempDir
    Path checkpoints;

    private final List<StreamingQuery> started = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void session() {
        spark = SparkSession.builder().master("local[2]").appName("QuerySupervisorTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
    }

    @AfterAll
    static void stopSession() {
        spark.stop();
    }

    @Test
    void aQueryThatHitTheKafkaMetricsBugIsRestartedAndTheNewOneFollowed() throws Exception {
        QuerySupervisor supervisor = supervisor(starts(failing(kafkaMetricsBug()), healthy()), 3);
        supervisor.start();
        await(() -> supervisor.restarts() == 1 && started.size() == 2 && started.get(1).lastProgress() != null);

        assertThat(supervisor.query()).as("the restarted query").isSameAs(started.get(1));
        assertThat(supervisor.query().isActive()).isTrue();
        supervisor.stop();
        supervisor.awaitTermination();
        assertThat(started).allMatch(q -> !q.isActive());
    }

    @Test
    void aRestartThatThrowsEndsAwaitTerminationAtOnceWithItsOwnException() {
        IllegalStateException restartFailure = new IllegalStateException("cannot start the streaming query: broker gone");
        QuerySupervisor supervisor = supervisor(starts(failing(kafkaMetricsBug()), () -> {
            throw restartFailure;
        }), 3);
        supervisor.start();

        assertThatThrownBy(supervisor::awaitTermination).as("the restart's exception, not the query's failure")
                .isSameAs(restartFailure);
        assertThat(restartFailure.getSuppressed()).singleElement().isInstanceOf(StreamingQueryException.class)
                .satisfies(failure -> assertThat(StreamingJob.isKafkaMetricsReplayBug(failure)).isTrue());
        assertThat(supervisor.restarts()).isEqualTo(1);
    }

    @Test
    void restartsAtMostTheCapThenEndsWithTheLastFailure() {
        QuerySupervisor supervisor = supervisor(() -> failing(kafkaMetricsBug()).get(), 2);
        supervisor.start();

        assertThatThrownBy(supervisor::awaitTermination).isInstanceOf(StreamingQueryException.class)
                .satisfies(failure -> assertThat(StreamingJob.isKafkaMetricsReplayBug(failure)).isTrue());
        assertThat(supervisor.restarts()).isEqualTo(2);
        assertThat(started).as("the first query and two restarts").hasSize(3);
    }

    @Test
    void anyOtherFailureEndsAwaitTerminationWithoutARestart() {
        QuerySupervisor supervisor = supervisor(starts(failing(new IllegalStateException("sink down")), healthy()), 3);
        supervisor.start();

        assertThatThrownBy(supervisor::awaitTermination).isInstanceOf(StreamingQueryException.class)
                .hasStackTraceContaining("sink down");
        assertThat(supervisor.restarts()).isZero();
        assertThat(started).hasSize(1);
    }

    private QuerySupervisor supervisor(Supplier<StreamingQuery> starter, int maxRestarts) {
        return new QuerySupervisor(() -> {
            StreamingQuery query = starter.get();
            started.add(query);
            return query;
        }, StreamingJob::isKafkaMetricsReplayBug, maxRestarts);
    }

    /** The given starters in turn, one per start. */
    @SafeVarargs
    private Supplier<StreamingQuery> starts(Supplier<StreamingQuery>... starters) {
        return () -> starters[Math.min(started.size(), starters.length - 1)].get();
    }

    /** A query whose first batch throws {@code failure}. */
    private Supplier<StreamingQuery> failing(RuntimeException failure) {
        return () -> query((rows, batchId) -> {
            throw failure;
        });
    }

    private Supplier<StreamingQuery> healthy() {
        return () -> query((rows, batchId) -> rows.count());
    }

    private StreamingQuery query(VoidFunction2<Dataset<Row>, Long> batch) {
        try {
            return spark.readStream().format("rate").option("rowsPerSecond", "10").load()
                    .writeStream()
                    .option("checkpointLocation", checkpoints.resolve("query-" + started.size()).toString())
                    .trigger(Trigger.ProcessingTime(100))
                    .foreachBatch(batch)
                    .start();
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What SPARK-55271 throws: a NullPointerException out of {@code KafkaMicroBatchStream.metrics}. */
    private static NullPointerException kafkaMetricsBug() {
        NullPointerException bug = new NullPointerException("stand-in for SPARK-55271");
        bug.setStackTrace(new StackTraceElement[]{new StackTraceElement(
                "org.apache.spark.sql.kafka010.KafkaMicroBatchStream", "metrics", "KafkaMicroBatchStream.scala", 1)});
        return bug;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 2 minutes").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
