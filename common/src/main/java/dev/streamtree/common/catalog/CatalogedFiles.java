package dev.streamtree.common.catalog;

import java.util.List;

/**
 * Where a catalogued table's files are, as the catalog records them: the table's location and each registered
 * partition's location. A reader whose engine cannot resolve the table by name (Spark without a Glue
 * metastore) reads exactly these files, so the catalog stays the one way in.
 *
 * @param location   the table's location, e.g. {@code s3://bucket/streamtree/events}
 * @param partitions the registered partitions, each with its own location
 */
public record CatalogedFiles(String location, List<Located> partitions) {

    public CatalogedFiles {
        partitions = List.copyOf(partitions);
    }

    /** A registered partition and the location the catalog gives for it. */
    public record Located(LakePartition partition, String location) {
    }
}
