package dev.streamtree.model.fs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Hadoop's raw local file system without child processes. Hadoop's native library is not among Spark's client jars,
 * and without it {@link RawLocalFileSystem} runs {@code chmod} for every file and directory it creates with a mode
 * and {@code ls -ld} for the mode, owner and group of every status it is asked for ({@code listFiles} asks for each
 * file). A retrain's commit wrote and listed about 100 files that way: under {@code strace} a 40-second demo spawned
 * 729 such processes, and each costs the calling thread 10-40 ms on this 2-core machine (more while the stream runs).
 * Here the same calls go through Java's NIO in-process: modes set with {@link Files#setPosixFilePermissions}, statuses
 * read whole with {@link PosixFileAttributes}. Everything else is {@link RawLocalFileSystem}'s.
 *
 * <p>Used for the model registry and the model files on {@code file:} locations ({@link #forPath}); other file
 * systems (HDFS, S3) are returned as Hadoop configures them. With a local master, {@link LocalFileSystems#useNio}
 * makes it (checksummed, {@link Checksummed}) the JVM's {@code file:} file system for Spark, Iceberg and the lake too.
 */
public final class NioLocalFileSystem extends RawLocalFileSystem {

    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    /**
     * The file system to write and list {@code path} with: for a {@code file:} path (or one without a scheme whose
     * default file system is local) a new instance of this class, else {@code path}'s own.
     */
    public static FileSystem forPath(Path path, Configuration conf) throws IOException {
        String scheme = path.toUri().getScheme() != null ? path.toUri().getScheme()
                : FileSystem.getDefaultUri(conf).getScheme();
        if (!"file".equals(scheme)) {
            return path.getFileSystem(conf);
        }
        NioLocalFileSystem local = new NioLocalFileSystem();
        local.initialize(URI.create("file:///"), conf);
        return local;
    }

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
        try {
            Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission));
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("File " + p + " does not exist");
        } catch (UnsupportedOperationException e) {
            super.setPermission(p, permission); // not a POSIX file system
        }
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return status(f, pathToFile(f));
    }

    /**
     * The status of {@code f} itself: without Hadoop's native library {@link RawLocalFileSystem} runs
     * {@code readlink} for it, and Spark's checkpoint asks on every rename (13 processes a second on the streaming
     * job's batch thread in the demo). A symbolic link, rare here, is left to Hadoop's own code.
     */
    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
        File file = pathToFile(f);
        try {
            if (Files.isSymbolicLink(file.toPath())) {
                return super.getFileLinkStatus(f);
            }
        } catch (SecurityException e) {
            return super.getFileLinkStatus(f);
        }
        return status(f, file);
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        File file = pathToFile(f);
        FileStatus status = status(f, file);
        if (!status.isDirectory()) {
            return new FileStatus[] {status};
        }
        String[] names = file.list();
        if (names == null) {
            throw new IOException("cannot list " + f);
        }
        List<FileStatus> out = new ArrayList<>(names.length);
        for (String name : names) {
            try {
                out.add(status(new Path(f, name), new File(file, name)));
            } catch (FileNotFoundException e) {
                // removed since the listing, as RawLocalFileSystem skips it
            }
        }
        return out.toArray(new FileStatus[0]);
    }

    private FileStatus status(Path path, File file) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file.toPath(), PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("File " + path + " does not exist");
        } catch (UnsupportedOperationException e) {
            return super.getFileStatus(path); // not a POSIX file system
        }
        return new FileStatus(a.size(), a.isDirectory(), 1, getDefaultBlockSize(path), a.lastModifiedTime().toMillis(),
                a.lastAccessTime().toMillis(), permission(a.permissions()), a.owner().getName(), a.group().getName(),
                makeQualified(new Path(file.getPath())));
    }

    /**
     * {@link NioLocalFileSystem} under Hadoop's checksums: a {@link org.apache.hadoop.fs.LocalFileSystem}, as code that
     * asks for the local file system ({@link FileSystem#getLocal}) expects, writing and checking the same
     * {@code .crc} files, with no child process.
     */
    public static final class Checksummed extends org.apache.hadoop.fs.LocalFileSystem {
        public Checksummed() {
            super(new NioLocalFileSystem());
        }
    }

    static Set<PosixFilePermission> posix(FsPermission permission) {
        int mode = permission.toShort() & 0777;
        Set<PosixFilePermission> bits = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((mode & (1 << i)) != 0) {
                bits.add(BITS[i]);
            }
        }
        return bits;
    }

    static FsPermission permission(Set<PosixFilePermission> bits) {
        int mode = 0;
        for (int i = 0; i < BITS.length; i++) {
            if (bits.contains(BITS[i])) {
                mode |= 1 << i;
            }
        }
        return new FsPermission((short) mode);
    }
}
