package dev.streamtree.lake.maintenance;

import org.apache.iceberg.Table;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * {@link LakeCompactionKillIT}'s child JVM: compacts {@code db.<name>} under {@code <warehouse>} as of
 * {@code <now>}, one hour per commit, and prints {@value #JOB_ENDED} as each of its Spark jobs ends, so the test
 * can kill it between a rewrite's first written files and its last commit.
 */
public final class CompactionChild {

    static final String JOB_ENDED = "COMPACTION-JOB-ENDED";
    static final String DONE = "COMPACTION-DONE";

    private CompactionChild() {
    }

    public static void main(String[] args) {
        Path warehouse = Path.of(args[0]);
        Table table = IcebergLakes.load(warehouse, args[1]);
        Instant now = Instant.parse(args[2]);
        SparkSession spark = SparkSession.builder().master("local[1]").appName("CompactionChild")
                .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onJobEnd(SparkListenerJobEnd jobEnd) {
                System.out.println(JOB_ENDED + " " + jobEnd.jobId());
                System.out.flush();
            }
        });
        new LakeCompaction(spark, Clock.fixed(now, ZoneOffset.UTC))
                .compact(table, new CompactionOptions(CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES,
                        CompactionOptions.DEFAULT_GRACE, 100));
        System.out.println(DONE);
        spark.stop();
    }
}
