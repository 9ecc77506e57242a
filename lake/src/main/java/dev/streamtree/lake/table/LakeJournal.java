package dev.streamtree.lake.table;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.DataFile;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The durable record of micro-batches written but not yet committed to their Iceberg table: one entry per batch,
 * {@code <lake>/_streamtree/journal/<database>/<table>/<writer>/batch-<id>}, holding the batch's {@link DataFile}s
 * with their metrics. The streaming job writes a batch's entry before the batch returns to Spark, so a batch Spark
 * records as done is never lost, and {@link LakeCommitter} commits the entries and then deletes them.
 *
 * <p>The journal is outside the table's location, so orphan-file removal never takes an entry. An entry is written to
 * a temporary name and renamed, so a reader sees a whole entry or none. Entries are Java-serialized Iceberg
 * {@link DataFile}s: they live for one commit interval and are read by the same job version that wrote them (stop
 * the job, which commits its journal, before upgrading Iceberg).
 *
 * <p>Every method runs on the driver and throws {@link UncheckedIOException} naming the entry when the file system
 * fails.
 */
public final class LakeJournal {

    private static final Pattern ENTRY = Pattern.compile("batch-(\\d+)");
    private static final int FORMAT = 1;

    private final Path directory;
    private final Configuration hadoopConf;
    private final String writerId;

    /**
     * @param directory  this writer's journal directory
     * @param writerId   the writing query's id, recorded in every entry
     */
    public LakeJournal(String directory, String writerId, Configuration hadoopConf) {
        this.directory = new Path(directory);
        this.writerId = writerId;
        this.hadoopConf = hadoopConf;
    }

    /** The journal directory of {@code writerId} for a table of {@code tables}. */
    public static String directory(LakeTables tables, org.apache.iceberg.catalog.TableIdentifier table, String writerId) {
        return tables.warehouse() + "/_streamtree/journal/" + table.namespace() + "/" + table.name() + "/" + writerId;
    }

    /** Records a batch's files durably; an existing entry for the batch is replaced. */
    public void write(long batchId, List<DataFile> files) {
        Path entry = entry(batchId);
        Path temporary = new Path(directory, "." + entry.getName() + ".tmp");
        try {
            FileSystem fs = directory.getFileSystem(hadoopConf);
            try (FSDataOutputStream out = fs.create(temporary, true);
                 ObjectOutputStream objects = new ObjectOutputStream(out)) {
                objects.writeInt(FORMAT);
                objects.writeUTF(writerId);
                objects.writeLong(batchId);
                objects.writeObject(new ArrayList<>(files));
            }
            fs.delete(entry, false);
            if (!fs.rename(temporary, entry)) {
                throw new IOException("could not rename " + temporary + " to " + entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing lake journal entry " + entry + " failed: " + e.getMessage(), e);
        }
    }

    /** Whether the batch has an entry. */
    public boolean contains(long batchId) {
        try {
            return directory.getFileSystem(hadoopConf).exists(entry(batchId));
        } catch (IOException e) {
            throw new UncheckedIOException("reading lake journal " + directory + " failed: " + e.getMessage(), e);
        }
    }

    /** The batch ids with an entry, ascending. */
    public TreeSet<Long> batchIds() {
        TreeSet<Long> ids = new TreeSet<>();
        try {
            FileStatus[] entries = directory.getFileSystem(hadoopConf).listStatus(directory);
            for (FileStatus status : entries) {
                Matcher m = ENTRY.matcher(status.getPath().getName());
                if (m.matches()) {
                    ids.add(Long.parseLong(m.group(1)));
                }
            }
        } catch (FileNotFoundException e) {
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("listing lake journal " + directory + " failed: " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * The batch's files, or empty when it has no entry.
     *
     * @throws IllegalStateException when the entry is not one this journal wrote for the batch
     */
    public Optional<List<DataFile>> read(long batchId) {
        Path entry = entry(batchId);
        try (InputStream in = directory.getFileSystem(hadoopConf).open(entry);
             ObjectInputStream objects = new ObjectInputStream(in)) {
            int format = objects.readInt();
            String writer = objects.readUTF();
            long batch = objects.readLong();
            if (format != FORMAT || !writer.equals(writerId) || batch != batchId) {
                throw new IllegalStateException("lake journal entry " + entry + " is format " + format + " of writer "
                        + writer + " batch " + batch + "; expected format " + FORMAT + " of " + writerId + " batch "
                        + batchId);
            }
            @SuppressWarnings("unchecked")
            List<DataFile> files = (List<DataFile>) objects.readObject();
            return Optional.of(List.copyOf(files));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException | ClassNotFoundException e) {
            throw new UncheckedIOException("reading lake journal entry " + entry + " failed: " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Deletes the batch's entry, if any. */
    public void delete(long batchId) {
        Path entry = entry(batchId);
        try {
            directory.getFileSystem(hadoopConf).delete(entry, false);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting lake journal entry " + entry + " failed: " + e.getMessage(), e);
        }
    }

    private Path entry(long batchId) {
        return new Path(directory, "batch-" + batchId);
    }
}
