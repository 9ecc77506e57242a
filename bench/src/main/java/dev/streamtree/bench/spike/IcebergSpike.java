package dev.streamtree.bench.spike;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.HadoopConf;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeStaging;
import dev.streamtree.lake.table.LakeTable;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestWriter;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.hadoop.HadoopInputFile;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.mapping.NameMappingParser;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The same batches into an Iceberg table (Hadoop catalog): the tasks write the same Parquet files with
 * {@link LakeFileWriter}, straight under the table's data directory (no staging, no rename: a file is invisible
 * until a snapshot references it), read each file's footer for its column metrics and hand the driver Iceberg
 * {@link DataFile}s; the driver checks the table's snapshot summaries for this writer's last committed batch (the
 * replay check Iceberg's own streaming sink makes with the query id and epoch id) and commits one fast append that
 * carries the batch id in its summary.
 *
 * <p>The lake's Parquet files carry no Iceberg field ids, so the table has a default name mapping (as tables
 * imported from Hive files do); a production writer would write the ids.
 */
final class IcebergSpike {

    static final String WRITER_ID_PROPERTY = "streamtree.writer-id";
    static final String BATCH_ID_PROPERTY = "streamtree.batch-id";
    static final String FIRST_BATCH_ID_PROPERTY = "streamtree.first-batch-id";

    private final SparkSession spark;
    private final EventSchema schema;
    private final Table table;
    private final String sparkName;
    private final String writerId;
    private final LakeStaging.ConfSource conf;
    private final CollectionAccumulator<DataFile> written;
    private final FileStats stats;

    /** How a task describes its files to the table. */
    enum FileStats {
        /** Reopens each file's footer for Iceberg's column metrics (bounds, null and value counts). */
        FOOTER_METRICS,
        /** Row count and size only, as a writer that tracked them itself would give; no column bounds. */
        COUNTS_ONLY
    }

    IcebergSpike(SparkSession spark, EventSchema schema, HadoopCatalog catalog, String sparkCatalog, String name,
                 String writerId) {
        this(spark, schema, catalog, sparkCatalog, name, writerId, FileStats.FOOTER_METRICS);
    }

    IcebergSpike(SparkSession spark, EventSchema schema, HadoopCatalog catalog, String sparkCatalog, String name,
                 String writerId, FileStats stats) {
        this.stats = stats;
        this.spark = spark;
        this.schema = schema;
        this.writerId = writerId;
        Schema icebergSchema = SparkSchemaUtil.convert(LakeTable.sparkSchema(schema));
        PartitionSpec spec = PartitionSpec.builderFor(icebergSchema)
                .identity(LakeLayout.EVENT_DATE).identity(LakeLayout.EVENT_HOUR).build();
        this.table = catalog.createTable(TableIdentifier.of("db", name), icebergSchema, spec, Map.of(
                TableProperties.FORMAT_VERSION, "2",
                TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
                TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100"));
        // From the created table's schema: creating a table assigns fresh field ids, so a mapping made from the
        // schema passed in maps every column to its neighbour's id.
        table.updateProperties()
                .set(TableProperties.DEFAULT_NAME_MAPPING, NameMappingParser.toJson(MappingUtil.create(table.schema())))
                .commit();
        this.sparkName = sparkCatalog + ".db." + name;
        Broadcast<HadoopConf> shared = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(new HadoopConf(spark.sparkContext().hadoopConfiguration()));
        this.conf = () -> shared.value().get();
        this.written = spark.sparkContext().collectionAccumulator("spike data files " + name);
    }

    Table table() {
        return table;
    }

    Dataset<Row> read() {
        return spark.table(sparkName);
    }

    /** Writes one batch and commits it alone. */
    BatchTiming write(Dataset<Row> rows, long batchId) {
        long t0 = System.nanoTime();
        boolean committed = lastCommittedBatch() >= batchId;
        long t1 = System.nanoTime();
        if (committed) {
            return new BatchTiming(t1 - t0, t1 - t0, 0, 0);
        }
        List<DataFile> files = writeFiles(rows, batchId);
        long t2 = System.nanoTime();
        commit(files, batchId, batchId, List.of());
        long t3 = System.nanoTime();
        return new BatchTiming(t3 - t0, (t1 - t0) + (t3 - t2), t2 - t1, files.size());
    }

    /**
     * Writes one batch's files and makes them durable without a table commit: a manifest of the batch's files in
     * the table's metadata directory and a journal entry naming it, which a restarted writer would commit first.
     */
    PendingBatch stage(Dataset<Row> rows, long batchId) {
        long t0 = System.nanoTime();
        List<DataFile> files = writeFiles(rows, batchId);
        long t1 = System.nanoTime();
        String location = table.location() + "/metadata/pending-" + writerId + "-b" + batchId + "-" + UUID.randomUUID() + ".avro";
        ManifestFile manifest;
        try {
            ManifestWriter<DataFile> writer = ManifestFiles.write(2, table.spec(), table.io().newOutputFile(location), null);
            try (writer) {
                files.forEach(writer::add);
            }
            manifest = writer.toManifestFile();
            Path journal = new Path(table.location() + "/_streamtree/pending/" + writerId + "/batch-" + batchId);
            FileSystem fs = journal.getFileSystem(conf.get());
            try (FSDataOutputStream out = fs.create(journal, true)) {
                out.write(location.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("staging batch " + batchId + " in " + table + " failed", e);
        }
        long t2 = System.nanoTime();
        return new PendingBatch(batchId, manifest, new BatchTiming(t2 - t0, t2 - t1, t1 - t0, files.size()));
    }

    /** Commits staged batches as one snapshot; returns the driver's time. */
    long commitStaged(List<PendingBatch> pending) {
        long t0 = System.nanoTime();
        long first = pending.get(0).batchId();
        long last = pending.get(pending.size() - 1).batchId();
        if (lastCommittedBatch() < last) {
            commit(List.of(), first, last, pending.stream().map(PendingBatch::manifest).toList());
        }
        try {
            FileSystem fs = new Path(table.location()).getFileSystem(conf.get());
            for (PendingBatch batch : pending) {
                fs.delete(new Path(table.location() + "/_streamtree/pending/" + writerId + "/batch-" + batch.batchId()), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return System.nanoTime() - t0;
    }

    /** Commits the given files as batch {@code batchId} after the replay check; returns the driver's time. */
    long commitOnly(List<DataFile> files, long batchId) {
        long t0 = System.nanoTime();
        if (lastCommittedBatch() < batchId) {
            commit(files, batchId, batchId, List.of());
        }
        return System.nanoTime() - t0;
    }

    /** The current metadata file's size in bytes. */
    long metadataBytes() {
        String location = ((HasTableOperations) table).operations().current().metadataFileLocation();
        return table.io().newInputFile(location).getLength();
    }

    /**
     * The highest batch id this writer committed, from the summary of its latest snapshot in the current
     * snapshot's ancestry; -1 when none.
     */
    long lastCommittedBatch() {
        table.refresh();
        Snapshot snapshot = table.currentSnapshot();
        while (snapshot != null) {
            Map<String, String> summary = snapshot.summary();
            if (writerId.equals(summary.get(WRITER_ID_PROPERTY))) {
                return Long.parseLong(summary.get(BATCH_ID_PROPERTY));
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        return -1;
    }

    List<DataFile> writeFiles(Dataset<Row> rows, long batchId) {
        written.reset();
        CollectionAccumulator<DataFile> files = written;
        LakeStaging target = new LakeStaging(table.location() + "/data/" + writerId + "-b" + batchId + "-"
                + UUID.randomUUID().toString().substring(0, 8), schema, conf);
        PartitionSpec spec = table.spec();
        NameMapping mapping = MappingUtil.create(table.schema());
        MetricsConfig metrics = MetricsConfig.forTable(table);
        int width = LakeLayout.dataColumns(schema).size();
        FileStats fileStats = stats;
        rows.foreachPartition((ForeachPartitionFunction<Row>) partition -> {
            LakeFileWriter lake = LakeFileWriter.forCurrentTask(target);
            Map<String, Long> counts = new HashMap<>();
            while (partition.hasNext()) {
                Row row = partition.next();
                Object[] values = new Object[width];
                for (int i = 0; i < width; i++) {
                    values[i] = row.get(i);
                }
                LakePartition hour = new LakePartition(row.getString(width), row.getInt(width + 1));
                lake.write(hour, values);
                counts.merge(hour.path(), 1L, Long::sum);
            }
            for (String relative : lake.finish()) {
                String partitionPath = relative.substring(0, relative.lastIndexOf('/'));
                HadoopInputFile file = HadoopInputFile.fromLocation(target.directory() + "/" + relative, target.hadoopConf().get());
                DataFiles.Builder builder = DataFiles.builder(spec)
                        .withInputFile(file)
                        .withFormat(FileFormat.PARQUET)
                        .withPartitionPath(partitionPath);
                if (fileStats == FileStats.FOOTER_METRICS) {
                    builder.withMetrics(ParquetUtil.fileMetrics(file, metrics, mapping));
                } else {
                    builder.withRecordCount(counts.get(partitionPath));
                }
                files.add(builder.build());
            }
        });
        return new ArrayList<>(files.value());
    }

    private void commit(List<DataFile> files, long firstBatch, long lastBatch, List<ManifestFile> manifests) {
        AppendFiles append = table.newFastAppend();
        files.forEach(append::appendFile);
        manifests.forEach(append::appendManifest);
        append.set(WRITER_ID_PROPERTY, writerId);
        append.set(BATCH_ID_PROPERTY, Long.toString(lastBatch));
        if (firstBatch != lastBatch) {
            append.set(FIRST_BATCH_ID_PROPERTY, Long.toString(firstBatch));
        }
        append.commit();
    }

    /** A batch whose files are durable in a manifest, not yet committed. */
    record PendingBatch(long batchId, ManifestFile manifest, BatchTiming timing) {
    }
}
