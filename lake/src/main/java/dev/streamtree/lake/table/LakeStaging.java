package dev.streamtree.lake.table;

import dev.streamtree.common.schema.EventSchema;

import java.io.Serial;
import java.io.Serializable;

/**
 * Where the tasks of one lake batch write their files: the batch's staging directory, the table's columns and the
 * Hadoop settings to reach the file system. Made by {@link LakeBatchWriter#begin} on the driver, shipped to the
 * tasks, which open a {@link LakeFileWriter} with it.
 *
 * @param directory the batch's staging directory (qualified URI)
 * @param schema    the event schema the lake columns derive from
 */
public record LakeStaging(String directory, EventSchema schema, HadoopConf hadoopConf) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
}
