package dev.streamtree.retrain.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The job's SparkSession: {@code local[*]} only when nothing (spark-submit, the launcher) set a master. */
final class Sessions {

    private Sessions() {
    }

    static SparkSession create(String appName) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (!new SparkConf().contains("spark.master")) {
            builder.master("local[*]").config("spark.ui.enabled", "false");
        }
        return builder.getOrCreate();
    }
}
