package dev.streamtree.lake.table;

import dev.streamtree.common.schema.EventSchema;
import org.apache.hadoop.conf.Configuration;

import java.io.Serial;
import java.io.Serializable;
import java.util.function.Supplier;

/**
 * Where the tasks of one lake batch write their files: the batch's staging directory, the table's columns and the
 * Hadoop settings to reach the file system. Made by {@link LakeBatchWriter#begin} on the driver, shipped to the
 * tasks, which open a {@link LakeFileWriter} with it.
 *
 * @param directory  the batch's staging directory (qualified URI)
 * @param schema     the event schema the lake columns derive from
 * @param hadoopConf the Hadoop settings, resolved in the task: a {@link HadoopConf}, or a handle to one Spark
 *                   broadcasts once per writer (so a batch's tasks do not each carry a copy)
 */
public record LakeStaging(String directory, EventSchema schema, ConfSource hadoopConf) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** A Hadoop configuration that can travel with a task. */
    @FunctionalInterface
    public interface ConfSource extends Supplier<Configuration>, Serializable {
    }
}
