package dev.streamtree.testing;

import org.apache.spark.sql.SparkSession;

/**
 * The local SparkSession the tests run on: the UI off and two shuffle partitions, so a test class starts in seconds
 * and its small shuffles do not fan out to Spark's default 200 tasks. One per test class: create it in
 * {@code @BeforeAll}, stop it in {@code @AfterAll}.
 */
public final class TestSpark {

    private TestSpark() {
    }

    /** A {@code local[2]} session named {@code appName}. */
    public static SparkSession local(String appName) {
        return local(appName, "local[2]");
    }

    /**
     * A session on {@code master}, such as {@code local[1]} or {@code local[2,3]} (two threads, a task tried up to
     * three times).
     */
    public static SparkSession local(String appName, String master) {
        return SparkSession.builder().master(master).appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }
}
