package dev.streamtree.model.fs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.local.LocalConfigKeys;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The {@code file:} scheme for {@link org.apache.hadoop.fs.FileContext} (Spark's streaming checkpoint writes through
 * it): Hadoop's {@link org.apache.hadoop.fs.local.LocalFs} with {@link NioLocalFileSystem} underneath, so the same
 * checksummed files without a {@code chmod} or {@code readlink} process per call. Installed by
 * {@link LocalFileSystems#useNio}.
 */
public final class NioLocalFs extends ChecksumFs {

    /** The constructor {@link org.apache.hadoop.fs.AbstractFileSystem#createFileSystem} calls. */
    public NioLocalFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
        super(new Raw(uri, conf));
    }

    /** As Hadoop's {@link org.apache.hadoop.fs.local.RawLocalFs}, over {@link NioLocalFileSystem}. */
    public static final class Raw extends DelegateToFileSystem {

        public Raw(URI uri, Configuration conf) throws IOException, URISyntaxException {
            super(uri, new NioLocalFileSystem(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
        }

        @Override
        public int getUriDefaultPort() {
            return -1; // no port
        }

        @Override
        @Deprecated
        public FsServerDefaults getServerDefaults() throws IOException {
            return LocalConfigKeys.getServerDefaults();
        }

        @Override
        public FsServerDefaults getServerDefaults(Path f) throws IOException {
            return LocalConfigKeys.getServerDefaults();
        }

        @Override
        public boolean isValidName(String src) {
            return true; // local file names are not checked, as in RawLocalFs
        }
    }
}
