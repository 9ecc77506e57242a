package dev.streamtree.model.fs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The process-free local file system against Hadoop's own raw local one, on real files. */
class NioLocalFileSystemTest {

    private final Configuration conf = new Configuration();

    @Test
    void modesMapBothWays() {
        for (int mode : new int[] {0, 0644, 0755, 0700, 0777, 0421, 0100}) {
            FsPermission permission = new FsPermission((short) mode);
            assertThat(NioLocalFileSystem.permission(NioLocalFileSystem.posix(permission)).toShort())
                    .as(Integer.toOctalString(mode)).isEqualTo((short) mode);
            assertThat(PosixFilePermissions.toString(NioLocalFileSystem.posix(permission)))
                    .as(Integer.toOctalString(mode)).isEqualTo(permission.toString());
        }
    }

    @Test
    void createsListsAndReportsStatusesAsHadoopsRawLocalFileSystemDoes(@TempDir java.nio.file.Path dir) throws Exception {
        FileSystem nio = NioLocalFileSystem.forPath(new Path(dir.toUri()), conf);
        FileSystem raw = hadoopsRaw();
        assertThat(nio).isInstanceOf(NioLocalFileSystem.class);
        Path root = new Path(dir.toString());
        Path nested = new Path(root, "a/b");
        assertThat(nio.mkdirs(nested)).isTrue();
        try (FSDataOutputStream out = nio.create(new Path(nested, "x.txt"), false)) {
            out.write("hello".getBytes());
        }
        try (FSDataOutputStream out = nio.create(new Path(root, "a/y.bin"), FsPermission.createImmutable((short) 0600),
                false, 4096, (short) 1, 1 << 20, null)) {
            out.write(new byte[1234]);
        }
        nio.setPermission(new Path(nested, "x.txt"), new FsPermission((short) 0640));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/y.bin"))))
                .as("created with a mode").isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b/x.txt"))))
                .as("mode set").isEqualTo("rw-r-----");
        for (Path p : List.of(root, new Path(root, "a"), nested, new Path(nested, "x.txt"), new Path(root, "a/y.bin"))) {
            assertThat(describe(nio.getFileStatus(p))).as(p.toString()).isEqualTo(describe(raw.getFileStatus(p)));
        }
        assertThat(describeAll(nio.listStatus(new Path(root, "a")))).isEqualTo(describeAll(raw.listStatus(new Path(root, "a"))));
        assertThat(describeAll(nio.listStatus(new Path(nested, "x.txt")))).as("a file lists as itself")
                .isEqualTo(describeAll(raw.listStatus(new Path(nested, "x.txt"))));
        assertThat(files(nio, root)).isEqualTo(files(raw, root)).containsOnlyKeys("a/b/x.txt", "a/y.bin")
                .containsEntry("a/y.bin", "1234 rw-------");
        assertThatThrownBy(() -> nio.getFileStatus(new Path(root, "missing"))).isInstanceOf(FileNotFoundException.class);
        assertThatThrownBy(() -> nio.listStatus(new Path(root, "missing"))).isInstanceOf(FileNotFoundException.class);
    }

    @Test
    void otherSchemesKeepTheirOwnFileSystem() throws Exception {
        Configuration withOther = new Configuration(conf);
        withOther.setClass("fs.other.impl", org.apache.hadoop.fs.RawLocalFileSystem.class, FileSystem.class);
        withOther.setBoolean("fs.other.impl.disable.cache", true);
        assertThat(NioLocalFileSystem.forPath(new Path("file:///tmp"), withOther)).isInstanceOf(NioLocalFileSystem.class);
        assertThat(NioLocalFileSystem.forPath(new Path("other:///tmp"), withOther)).isNotInstanceOf(NioLocalFileSystem.class);
    }

    @Test
    void linkStatusesAreHadoopsWithoutAProcess(@TempDir java.nio.file.Path dir) throws Exception {
        FileSystem nio = NioLocalFileSystem.forPath(new Path(dir.toUri()), conf);
        FileSystem raw = hadoopsRaw();
        Path root = new Path(dir.toString());
        Files.writeString(dir.resolve("f.txt"), "x");
        Files.createDirectory(dir.resolve("d"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("f.txt"));
        for (String name : List.of("f.txt", "d", "link")) {
            Path p = new Path(root, name);
            FileStatus mine = nio.getFileLinkStatus(p);
            FileStatus hadoops = raw.getFileLinkStatus(p);
            assertThat(describe(mine)).as(name).isEqualTo(describe(hadoops));
            assertThat(mine.isSymlink()).as(name).isEqualTo(hadoops.isSymlink());
        }
        assertThat(nio.getFileLinkStatus(new Path(root, "link")).getSymlink().toUri().getPath())
                .isEqualTo(dir.resolve("f.txt").toString());
        assertThatThrownBy(() -> nio.getFileLinkStatus(new Path(root, "missing"))).isInstanceOf(FileNotFoundException.class);
    }

    @Test
    void installedTheyAreTheJvmsFileSchemeForFileSystemsAndFileContextsWithTheSameChecksums(@TempDir java.nio.file.Path dir)
            throws Exception {
        assertThat(LocalFileSystems.useNio("local[2]")).isTrue();
        Configuration fresh = new Configuration();
        assertThat(FileSystem.newInstance(dir.toUri(), fresh)).isInstanceOf(NioLocalFileSystem.Checksummed.class);
        FileContext context = FileContext.getFileContext(dir.toUri(), fresh);
        assertThat(context.getDefaultFileSystem()).isInstanceOf(NioLocalFs.class);

        // as Spark's checkpoint writes: a temporary file, renamed over the final name
        Path tmp = new Path(dir.resolve(".0.tmp").toUri());
        Path done = new Path(dir.resolve("0").toUri());
        try (FSDataOutputStream out = context.create(tmp, EnumSet.of(CreateFlag.CREATE))) {
            out.write("v1\n{\"batchWatermarkMs\":0}".getBytes());
        }
        context.rename(tmp, done, Options.Rename.OVERWRITE);
        assertThat(Files.readString(dir.resolve("0"))).isEqualTo("v1\n{\"batchWatermarkMs\":0}");
        assertThat(Files.exists(dir.resolve(".0.crc"))).as("checksum renamed with its file").isTrue();
        assertThat(Files.exists(dir.resolve(".0.tmp"))).isFalse();

        // Hadoop's own checksummed local file system reads it and its checksum back
        FileSystem hadoops = new org.apache.hadoop.fs.LocalFileSystem(hadoopsRaw());
        try (var in = hadoops.open(done)) {
            assertThat(new String(in.readAllBytes())).isEqualTo("v1\n{\"batchWatermarkMs\":0}");
        }
        Files.writeString(dir.resolve("0"), "v1\n{\"batchWatermarkMs\":1}");
        assertThatThrownBy(() -> {
            try (var in = FileSystem.newInstance(dir.toUri(), fresh).open(done)) {
                in.readAllBytes();
            }
        }).as("a file changed behind its checksum").isInstanceOf(org.apache.hadoop.fs.ChecksumException.class);
        assertThat(LocalFileSystems.useNio("yarn")).as("a cluster master changes nothing once installed").isTrue();
    }

    /** Hadoop's own raw local file system, whatever {@code fs.file.impl} says. */
    private FileSystem hadoopsRaw() throws java.io.IOException {
        org.apache.hadoop.fs.RawLocalFileSystem raw = new org.apache.hadoop.fs.RawLocalFileSystem();
        raw.initialize(java.net.URI.create("file:///"), conf);
        return raw;
    }

    private static String describe(FileStatus s) {
        return s.getPath() + " dir=" + s.isDirectory() + " len=" + (s.isDirectory() ? "-" : s.getLen()) + " mode="
                + s.getPermission() + " owner=" + s.getOwner() + " group=" + s.getGroup() + " mtime=" + s.getModificationTime();
    }

    private static List<String> describeAll(FileStatus[] statuses) {
        List<String> out = new ArrayList<>(Arrays.stream(statuses).map(NioLocalFileSystemTest::describe).toList());
        out.sort(null);
        return out;
    }

    /** {@code listFiles}, recursive: relative path to length and mode. */
    private static Map<String, String> files(FileSystem fs, Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        String prefix = fs.makeQualified(root).toString() + "/";
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus s = it.next();
            out.put(s.getPath().toString().substring(prefix.length()), s.getLen() + " " + s.getPermission());
        }
        return out;
    }
}
