package dev.streamtree.model.fs;

import org.apache.hadoop.conf.Configuration;

/**
 * Makes {@code file:} paths go through {@link NioLocalFileSystem} in this JVM: every Hadoop {@link Configuration}
 * (Spark's, Iceberg's, a bare {@code new Configuration()}) then names {@link NioLocalFileSystem.Checksummed} for
 * {@code fs.file.impl} and {@link NioLocalFs} for {@code fs.AbstractFileSystem.file.impl}, through a default resource
 * read after Hadoop's own ({@value #RESOURCE}; a property set in code or by {@code spark.hadoop.*} still wins).
 *
 * <p>Why: without Hadoop's native library, which Spark's client jars lack, the local file system runs a
 * {@code chmod} for every file it creates, an {@code ls -ld} for every status and a {@code readlink} on every
 * checkpoint rename. A JFR recording of a 30 s demo counted 1,438 such processes, 45-60 a second while it streamed:
 * about 13 a batch on the streaming query's batch thread (the checkpoint's renames) and 4 per task per batch
 * (each Parquet file and its checksum), at 10-40 ms each on this 2-core machine. The files written are the same,
 * {@code .crc} files included.
 *
 * <p>For local masters only (the demo, the jobs run locally, the benchmark): a cluster's nodes have the native library
 * and their own {@code core-site.xml}, which this must not override.
 */
public final class LocalFileSystems {

    /** The default resource naming the two classes. */
    public static final String RESOURCE = "streamtree-nio-local-fs.xml";

    private static volatile boolean installed;

    private LocalFileSystems() {
    }

    /**
     * Installs the resource when {@code master} is a local one ({@code local}, {@code local[...]}); call before the
     * first Hadoop file system is made (file systems already cached keep their class).
     *
     * @return whether it is installed now
     */
    public static synchronized boolean useNio(String master) {
        if (master == null || !(master.equals("local") || master.startsWith("local["))) {
            return installed;
        }
        if (!installed) {
            Configuration.addDefaultResource(RESOURCE);
            installed = true;
        }
        return true;
    }
}
