package dev.streamtree.model.registry;

import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.Promotion;
import dev.streamtree.common.registry.RegistryException;
import dev.streamtree.common.registry.VersionId;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import dev.streamtree.model.fs.NioLocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A {@link ModelRegistry} on the Hadoop FileSystem API, so one implementation serves a local directory, HDFS
 * and S3 ({@code s3a://}).
 *
 * <pre>
 * ROOT/
 *   staging/&lt;uuid&gt;/          work areas of candidates being written (never read by anyone else)
 *   versions/v000001/          committed, immutable versions
 *     model/                   the Spark PipelineModel
 *     metadata.json            {@link ModelMetadata}
 *     tree.txt, tree.dot       human-readable tree (written by the trainer)
 *     manifest.json            every file above with size and SHA-256, written last
 *   current                    the serving version's name, e.g. "v000002"
 *   history.jsonl              one JSON line per pointer move (promote / rollback)
 * </pre>
 *
 * <p><b>Commit protocol.</b> {@link PendingVersion#commit} writes {@code metadata.json}, then the manifest, then
 * renames the staging directory to the next free {@code versions/vNNNNNN}; if another writer took that number
 * first the rename fails and the next number is tried. A version directory whose manifest is missing, does not
 * parse, or disagrees with the files (size or checksum) is corrupt: {@link #versions()} hides versions without
 * a readable manifest, and {@link #metadata}, {@link #modelLocation}, {@link #verified} and {@link #promote} verify
 * every file and throw {@link CorruptVersionException}, so a corrupt version is never loaded or promoted.
 *
 * <p><b>Reads.</b> A check reads each file of the version once, hashing the bytes as they come and taking their count
 * as the file's size (no file status is asked for). The files a caller goes on to use are kept from that read:
 * {@link #metadata} parses {@code metadata.json} from the bytes it hashed, and {@link #verified} also hands over the
 * model's files, so a loader parses what was checked instead of reading (and listing) the version again.
 *
 * <p><b>Atomicity.</b> On a local file system and HDFS the version rename and the {@code current} replacement
 * are atomic renames. On object stores (s3a, gs) directory rename is a copy: a half-copied version has no
 * complete manifest and stays invisible until the copy finishes, but two writers racing for one number are not
 * excluded, so run one writer (the retrain scheduler) per registry; {@code current} is written with a single
 * PUT, which object stores apply atomically. Within one registry instance writes are serialised; separate
 * processes writing the same registry may lose a {@code history.jsonl} line in a race.
 *
 * <p>Thread-safe.
 */
public final class FileSystemModelRegistry implements ModelRegistry {

    public static final String VERSIONS_DIR = "versions";
    public static final String STAGING_DIR = "staging";
    public static final String CURRENT_FILE = "current";
    public static final String HISTORY_FILE = "history.jsonl";
    public static final String METADATA_FILE = "metadata.json";
    public static final String MODEL_DIR = "model";

    private static final Pattern VERSION_DIR_NAME = Pattern.compile("v\\d{6}");
    private static final Set<String> OBJECT_STORE_SCHEMES = Set.of("s3", "s3a", "s3n", "gs");
    private static final int COMMIT_ATTEMPTS = 50;
    /** The most a file read into memory can have (a Java array's limit); model files have kilobytes. */
    private static final long MAX_KEPT_BYTES = Integer.MAX_VALUE - 8;

    private final Path root;
    private final FileSystem fs;
    private final Configuration conf;
    private final Clock clock;
    private final Object writeLock = new Object();

    private FileSystemModelRegistry(Path root, FileSystem fs, Configuration conf, Clock clock) {
        this.root = root;
        this.fs = fs;
        this.conf = conf;
        this.clock = clock;
    }

    /**
     * Opens (and creates, if absent) the registry at {@code rootUri}: a local path, {@code hdfs://...} or
     * {@code s3a://bucket/prefix}.
     *
     * @throws IllegalArgumentException when the URI is blank or malformed
     * @throws RegistryException        when the storage cannot be reached
     */
    public static FileSystemModelRegistry open(String rootUri, Configuration conf) {
        return open(rootUri, conf, Clock.systemUTC());
    }

    static FileSystemModelRegistry open(String rootUri, Configuration conf, Clock clock) {
        if (rootUri == null || rootUri.isBlank()) {
            throw new IllegalArgumentException("model registry location is empty");
        }
        Objects.requireNonNull(conf, "Hadoop configuration");
        Path path;
        try {
            path = new Path(rootUri.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model registry location '" + rootUri + "' is not a valid URI: " + e.getMessage(), e);
        }
        try {
            FileSystem fs = path.getFileSystem(conf);
            if ("file".equals(fs.getScheme())) {
                // The raw local FS: no .crc side files, and rename is the POSIX rename (atomic, replaces files); the
                // NIO one spawns no chmod / ls process per file.
                fs = NioLocalFileSystem.forPath(path, conf);
            }
            Path root = fs.makeQualified(path);
            fs.mkdirs(new Path(root, VERSIONS_DIR));
            fs.mkdirs(new Path(root, STAGING_DIR));
            return new FileSystemModelRegistry(root, fs, conf, clock);
        } catch (IOException e) {
            throw new RegistryException("cannot open model registry at '" + rootUri + "': " + e.getMessage(), e);
        }
    }

    /** The registry's root, fully qualified (e.g. {@code file:/.../registry}). */
    public String location() {
        return root.toString();
    }

    @Override
    public PendingVersion stage() {
        String id = UUID.randomUUID().toString();
        Path dir = new Path(new Path(root, STAGING_DIR), id);
        try {
            if (!fs.mkdirs(dir)) {
                throw new RegistryException("cannot create staging directory " + dir);
            }
        } catch (IOException e) {
            throw new RegistryException("cannot create staging directory " + dir + ": " + e.getMessage(), e);
        }
        return new Pending(id, dir);
    }

    @Override
    public List<VersionId> versions() {
        List<VersionId> out = new ArrayList<>();
        for (VersionId v : versionDirectories()) {
            try {
                readManifest(v);
                out.add(v);
            } catch (CorruptVersionException e) {
                // Uncommitted or damaged: invisible.
            }
        }
        return out;
    }

    @Override
    public ModelMetadata metadata(VersionId version) {
        return parseMetadata(version, verify(version, METADATA_FILE::equals).kept().get(METADATA_FILE));
    }

    /**
     * {@inheritDoc} With the content of every model file, as the check read it ({@link VerifiedVersion#modelFiles}).
     */
    @Override
    public VerifiedVersion verified(VersionId version) {
        String modelPrefix = MODEL_DIR + "/";
        Checked checked = verify(version, path -> path.equals(METADATA_FILE) || path.startsWith(modelPrefix));
        Map<String, byte[]> modelFiles = new HashMap<>();
        checked.kept().forEach((path, content) -> {
            if (path.startsWith(modelPrefix)) {
                modelFiles.put(path.substring(modelPrefix.length()), content);
            }
        });
        return new VerifiedVersion(version, parseMetadata(version, checked.kept().get(METADATA_FILE)),
                new Path(versionDir(version), MODEL_DIR).toString(), modelFiles);
    }

    private static ModelMetadata parseMetadata(VersionId version, byte[] content) {
        try {
            return RegistryJson.parseMetadata(new String(content, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CorruptVersionException("version " + version + ": " + e.getMessage());
        }
    }

    @Override
    public String modelLocation(VersionId version) {
        verify(version);
        return new Path(versionDir(version), MODEL_DIR).toString();
    }

    /** Where a committed version's files live (for tools that list them). */
    public String versionLocation(VersionId version) {
        return versionDir(version).toString();
    }

    /**
     * A text file of a committed version (e.g. {@code tree.txt}), after checking the version's integrity.
     *
     * @return empty when the version has no such file
     * @throws IllegalArgumentException for an unknown version or a name that is not a plain file name
     * @throws CorruptVersionException  when the version fails its integrity check
     */
    public Optional<String> versionFile(VersionId version, String fileName) {
        if (fileName == null || !fileName.matches("[A-Za-z0-9._-]+") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("'" + fileName + "' is not a plain file name");
        }
        byte[] content = verify(version, fileName::equals).kept().get(fileName);
        return Optional.ofNullable(content).map(c -> new String(c, StandardCharsets.UTF_8));
    }

    /**
     * Checks every file of a committed version against its manifest.
     *
     * @throws IllegalArgumentException when no such version directory exists
     * @throws CorruptVersionException  naming the first problem found
     */
    public void checkIntegrity(VersionId version) {
        verify(version);
    }

    @Override
    public Optional<VersionId> current() {
        Path pointer = new Path(root, CURRENT_FILE);
        String text;
        try (InputStream in = fs.open(pointer)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RegistryException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(VersionId.parse(text));
        } catch (IllegalArgumentException e) {
            throw new RegistryException("registry pointer " + pointer + " is damaged: " + e.getMessage());
        }
    }

    @Override
    public void promote(VersionId version, String reason) {
        Objects.requireNonNull(version, "version");
        synchronized (writeLock) {
            verify(version);
            Optional<VersionId> from = current();
            if (from.isPresent() && from.get().equals(version)) {
                return;
            }
            move(from.orElse(null), version, "promote", reason);
        }
    }

    @Override
    public VersionId rollback(String reason) {
        synchronized (writeLock) {
            VersionId now = current().orElseThrow(() -> new IllegalStateException(
                    "nothing to roll back: no version has been promoted in " + root));
            Deque<VersionId> stack = promotionStack(history());
            while (!stack.isEmpty() && stack.peek().equals(now)) {
                stack.pop();
            }
            if (stack.isEmpty()) {
                throw new IllegalStateException("nothing to roll back to: " + now + " is the first promoted version");
            }
            VersionId target = stack.peek();
            verify(target);
            move(now, target, "rollback", reason);
            return target;
        }
    }

    @Override
    public List<Promotion> history() {
        Path file = new Path(root, HISTORY_FILE);
        try {
            if (!fs.exists(file)) {
                return List.of();
            }
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return RegistryJson.parseHistory(readText(file));
        } catch (IllegalArgumentException e) {
            throw new RegistryException("registry history " + file + " is damaged: " + e.getMessage());
        }
    }

    /**
     * Deletes the committed versions that were never promoted, except the newest {@code keepCandidates} of them. Every
     * version that was ever current (named by {@link #history()} or the {@code current} pointer) is kept, so a rollback
     * always finds its target. The newest version is always kept (promoted, or the newest candidate), so version
     * numbers are never reused. A version's manifest is deleted first: a prune interrupted part-way leaves a version
     * without a manifest, which {@link #versions()} hides, never a half-deleted version that looks whole. Also removes
     * the leftovers of crashed candidates in {@code staging/} older than a day.
     *
     * @param keepCandidates how many of the newest never-promoted versions to keep, at least 1
     * @return the versions deleted, oldest first
     * @throws IllegalArgumentException when {@code keepCandidates} is below 1
     * @throws RegistryException        when the storage cannot be read or written
     */
    public List<VersionId> prune(int keepCandidates) {
        if (keepCandidates < 1) {
            throw new IllegalArgumentException("candidates to keep must be >= 1, got " + keepCandidates);
        }
        synchronized (writeLock) {
            Set<VersionId> promoted = new java.util.HashSet<>();
            for (Promotion p : history()) {
                promoted.add(p.to());
                if (p.from() != null) {
                    promoted.add(p.from());
                }
            }
            current().ifPresent(promoted::add);
            List<VersionId> candidates = new ArrayList<>();
            for (VersionId v : versionDirectories()) {
                if (!promoted.contains(v)) {
                    candidates.add(v);
                }
            }
            List<VersionId> deleted = new ArrayList<>(candidates.subList(0, Math.max(0, candidates.size() - keepCandidates)));
            for (VersionId v : deleted) {
                Path dir = versionDir(v);
                try {
                    fs.delete(new Path(dir, Manifest.FILE_NAME), false);
                    fs.delete(dir, true);
                } catch (IOException e) {
                    throw new RegistryException("cannot delete model version " + v + " at " + dir + ": " + e.getMessage(), e);
                }
            }
            Path staging = new Path(root, STAGING_DIR);
            try {
                long before = clock.millis() - 86_400_000L;
                for (FileStatus status : fs.listStatus(staging)) {
                    if (status.getModificationTime() < before) {
                        fs.delete(status.getPath(), true);
                    }
                }
            } catch (FileNotFoundException e) {
                // no staging area yet
            } catch (IOException e) {
                throw new RegistryException("cannot clean " + staging + ": " + e.getMessage(), e);
            }
            return deleted;
        }
    }

    /**
     * The versions a rollback walks back through: promotions push, rollbacks pop. The top is the current
     * version.
     */
    static Deque<VersionId> promotionStack(List<Promotion> history) {
        Deque<VersionId> stack = new ArrayDeque<>();
        for (Promotion p : history) {
            if ("rollback".equals(p.action())) {
                if (!stack.isEmpty()) {
                    stack.pop();
                }
                if (stack.isEmpty() || !stack.peek().equals(p.to())) {
                    stack.push(p.to());
                }
            } else {
                stack.push(p.to());
            }
        }
        return stack;
    }

    private void move(VersionId from, VersionId to, String action, String reason) {
        Promotion entry = new Promotion(clock.instant(), from, to, action, reason == null ? "" : reason);
        replace(new Path(root, CURRENT_FILE), (to + "\n").getBytes(StandardCharsets.UTF_8));
        Path historyFile = new Path(root, HISTORY_FILE);
        String previous = "";
        try {
            if (fs.exists(historyFile)) {
                previous = readText(historyFile);
            }
        } catch (IOException e) {
            throw new RegistryException("cannot read " + historyFile + ": " + e.getMessage(), e);
        }
        if (!previous.isEmpty() && !previous.endsWith("\n")) {
            previous += "\n";
        }
        replace(historyFile, (previous + RegistryJson.promotionLine(entry) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private Path versionDir(VersionId version) {
        return new Path(new Path(root, VERSIONS_DIR), version.toString());
    }

    private List<VersionId> versionDirectories() {
        Path dir = new Path(root, VERSIONS_DIR);
        List<VersionId> out = new ArrayList<>();
        try {
            for (FileStatus status : fs.listStatus(dir)) {
                String name = status.getPath().getName();
                if (status.isDirectory() && VERSION_DIR_NAME.matcher(name).matches()) {
                    out.add(VersionId.parse(name));
                }
            }
        } catch (FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw new RegistryException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    private Manifest readManifest(VersionId version) {
        Path file = new Path(versionDir(version), Manifest.FILE_NAME);
        String text;
        try (InputStream in = fs.open(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            throw new CorruptVersionException("version " + version + " has no " + Manifest.FILE_NAME
                    + " (never committed or damaged)");
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return Manifest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CorruptVersionException("version " + version + ": " + e.getMessage());
        }
    }

    private Manifest verify(VersionId version) {
        return verify(version, path -> false).manifest();
    }

    /** A version's manifest, and the content of the files a caller keeps by path; every file agreed with it. */
    private record Checked(Manifest manifest, Map<String, byte[]> kept) {
    }

    /**
     * Checks every file of a version against its manifest, reading each once, and keeps the content of the files
     * {@code keep} names.
     *
     * @throws IllegalArgumentException when no such version directory exists
     * @throws CorruptVersionException  naming the first problem found
     * @throws RegistryException        when a file cannot be read
     */
    private Checked verify(VersionId version, Predicate<String> keep) {
        Objects.requireNonNull(version, "version");
        Path dir = versionDir(version);
        Manifest manifest;
        try {
            manifest = readManifest(version);
        } catch (CorruptVersionException e) {
            try {
                if (!fs.exists(dir)) {
                    throw new IllegalArgumentException("model version " + version + " does not exist in " + root);
                }
            } catch (IOException io) {
                throw new RegistryException("cannot read " + dir + ": " + io.getMessage(), io);
            }
            throw e;
        }
        if (!manifest.contains(METADATA_FILE)) {
            throw new CorruptVersionException("version " + version + ": manifest does not list " + METADATA_FILE);
        }
        if (manifest.files().stream().noneMatch(e -> e.path().startsWith(MODEL_DIR + "/"))) {
            throw new CorruptVersionException("version " + version + ": manifest lists no model files");
        }
        Map<String, byte[]> kept = new HashMap<>();
        for (Manifest.Entry entry : manifest.files()) {
            byte[] content = check(version, new Path(dir, entry.path()), entry, keep.test(entry.path()));
            if (content != null) {
                kept.put(entry.path(), content);
            }
        }
        return new Checked(manifest, kept);
    }

    /**
     * Reads one file of a version, hashing it as it streams, and checks its length and SHA-256 against its manifest
     * entry. Reading stops one buffer past the size the manifest gives, so a file grown by mistake is not read whole.
     *
     * @return the file's content when {@code keep}, else null
     */
    private byte[] check(VersionId version, Path file, Manifest.Entry entry, boolean keep) {
        long size = entry.size();
        if (keep && size > MAX_KEPT_BYTES) {
            throw new CorruptVersionException("version " + version + ": file " + entry.path() + " has " + size
                    + " bytes by its manifest, more than a file to load can have");
        }
        byte[] content = keep ? new byte[(int) size] : null;
        long length = 0;
        MessageDigest digest = sha256Digest();
        try (InputStream in = fs.open(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while (length <= size && (n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
                if (content != null && length < size) {
                    System.arraycopy(buffer, 0, content, (int) length, (int) Math.min(n, size - length));
                }
                length += n;
            }
            if (length > size) {
                length = fs.getFileStatus(file).getLen(); // for the message: the read stopped early
            }
        } catch (FileNotFoundException e) {
            throw new CorruptVersionException("version " + version + ": file " + entry.path() + " is missing");
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (length != size) {
            throw new CorruptVersionException("version " + version + ": file " + entry.path() + " has "
                    + length + " bytes, manifest says " + size);
        }
        if (!HexFormat.of().formatHex(digest.digest()).equals(entry.sha256())) {
            throw new CorruptVersionException("version " + version + ": file " + entry.path()
                    + " does not match its checksum");
        }
        return content;
    }

    private String sha256(Path file) {
        try (InputStream in = fs.open(file)) {
            MessageDigest digest = sha256Digest();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private String readText(Path file) {
        try (InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(Path file, byte[] content) throws IOException {
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write(content);
        }
    }

    /** Replaces a small file so readers see either the old or the new content, never a mix. */
    private void replace(Path target, byte[] content) {
        try {
            if (OBJECT_STORE_SCHEMES.contains(root.toUri().getScheme())) {
                write(target, content); // one PUT: atomic on the object store
                return;
            }
            Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
            write(temp, content);
            try {
                if (fs instanceof RawLocalFileSystem local) {
                    Files.move(local.pathToFile(temp).toPath(), local.pathToFile(target).toPath(),
                            StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    FileContext.getFileContext(root.toUri(), conf).rename(temp, target, Options.Rename.OVERWRITE);
                }
            } finally {
                fs.delete(temp, false);
            }
        } catch (IOException e) {
            throw new RegistryException("cannot replace " + target + ": " + e.getMessage(), e);
        }
    }

    /** Renames a directory, failing with {@link FileAlreadyExistsException} when the target exists. */
    private void renameDirectory(Path source, Path target) throws IOException {
        if (fs instanceof RawLocalFileSystem local) {
            try {
                Files.move(local.pathToFile(source).toPath(), local.pathToFile(target).toPath());
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                throw new FileAlreadyExistsException(target + " exists");
            }
        } else {
            if (fs.exists(target)) {
                throw new FileAlreadyExistsException(target + " exists");
            }
            FileContext.getFileContext(root.toUri(), conf).rename(source, target, Options.Rename.NONE);
        }
    }

    private final class Pending implements PendingVersion {

        private final String id;
        private final Path dir;
        private boolean finished;

        Pending(String id, Path dir) {
            this.id = id;
            this.dir = dir;
        }

        @Override
        public String modelLocation() {
            return new Path(dir, MODEL_DIR).toString();
        }

        @Override
        public String filesLocation() {
            return dir.toString();
        }

        @Override
        public synchronized VersionId commit(ModelMetadata metadata) {
            Objects.requireNonNull(metadata, "metadata");
            if (finished) {
                throw new IllegalStateException("staged version " + id + " was already committed or discarded");
            }
            try {
                if (!fs.exists(new Path(dir, MODEL_DIR))) {
                    throw new IllegalStateException("nothing was written to " + modelLocation() + "; save the model first");
                }
                write(new Path(dir, METADATA_FILE), RegistryJson.metadataJson(metadata).getBytes(StandardCharsets.UTF_8));
                Manifest manifest = new Manifest(id, listFiles());
                write(new Path(dir, Manifest.FILE_NAME), manifest.toJson().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new RegistryException("cannot write the files of staged version " + id + ": " + e.getMessage(), e);
            }
            synchronized (writeLock) {
                for (int attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
                    List<VersionId> taken = versionDirectories();
                    VersionId next = taken.isEmpty() ? new VersionId(1) : taken.get(taken.size() - 1).next();
                    try {
                        renameDirectory(dir, versionDir(next));
                        finished = true;
                        return next;
                    } catch (FileAlreadyExistsException e) {
                        // another writer took the number; try the next one
                    } catch (IOException e) {
                        throw new RegistryException("cannot move staged version " + id + " to " + versionDir(next)
                                + ": " + e.getMessage(), e);
                    }
                }
            }
            throw new RegistryException("could not claim a version number for staged version " + id + " after "
                    + COMMIT_ATTEMPTS + " attempts");
        }

        private List<Manifest.Entry> listFiles() throws IOException {
            List<Manifest.Entry> entries = new ArrayList<>();
            String prefix = dir.toUri().getPath();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
            while (it.hasNext()) {
                LocatedFileStatus status = it.next();
                String path = status.getPath().toUri().getPath();
                String relative = path.substring(prefix.length() + (prefix.endsWith("/") ? 0 : 1));
                if (relative.equals(Manifest.FILE_NAME)) {
                    continue;
                }
                entries.add(new Manifest.Entry(relative, status.getLen(), sha256(status.getPath())));
            }
            return entries;
        }

        @Override
        public synchronized void close() {
            if (finished) {
                return;
            }
            finished = true;
            try {
                fs.delete(dir, true);
            } catch (IOException e) {
                throw new RegistryException("cannot delete staging directory " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
