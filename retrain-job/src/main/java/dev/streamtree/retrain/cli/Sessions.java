package dev.streamtree.retrain.cli;

import dev.streamtree.model.fs.LocalFileSystems;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The job's SparkSession: {@code local[*]} only when nothing (spark-submit, the launcher) set a master. */
final class Sessions {

    private Sessions() {
    }

    static SparkSession create(String appName) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            builder.master("local[*]").config("spark.ui.enabled", "false");
        }
        LocalFileSystems.useNio(conf.get("spark.master", "local[*]"));
        return builder.getOrCreate();
    }
}
