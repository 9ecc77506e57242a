package dev.streamtree.launcher.lake;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobDefaults;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.maintenance.CompactionOptions;
import dev.streamtree.lake.maintenance.LakeCompaction;
import dev.streamtree.lake.maintenance.LakeMigration;
import dev.streamtree.lake.maintenance.LakeRetention;
import dev.streamtree.lake.maintenance.LakeStatus;
import dev.streamtree.lake.maintenance.RetentionOptions;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.model.fs.LocalFileSystems;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code bin/streamtree lake status | compact | retain | migrate}: the lake's upkeep (docs/lake.md). */
@Command(name = "lake", mixinStandardHelpOptions = true,
        description = "Inspect and maintain the lake's Iceberg table: status, compaction, retention, migration.",
        subcommands = {LakeCommand.StatusCommand.class, LakeCommand.CompactCommand.class, LakeCommand.RetainCommand.class,
                LakeCommand.MigrateCommand.class})
public final class LakeCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: status, compact, retain or migrate");
    }

    /** The lake flags of {@link JobOptions}, without the other job flags. */
    static final class TableOptions {
        @Option(names = JobOptions.LAKE, defaultValue = JobDefaults.LAKE, description = "Lake location, a path or URI (default: ${DEFAULT-VALUE}).")
        String lake;

        @Option(names = JobOptions.CATALOG, defaultValue = JobDefaults.CATALOG, description = "local or glue (default: ${DEFAULT-VALUE}).")
        String catalog;

        @Option(names = JobOptions.DATABASE, defaultValue = JobDefaults.DATABASE, description = "Catalog database (default: ${DEFAULT-VALUE}).")
        String database;

        @Option(names = JobOptions.TABLE, defaultValue = JobDefaults.TABLE, description = "Catalog table (default: ${DEFAULT-VALUE}).")
        String table;

        @Option(names = JobOptions.GLUE_REGION, description = "AWS region of the Glue catalog (required with --catalog glue).")
        String glueRegion;

        LakeTables tables() {
            return new LakeTables(CatalogKind.parse(catalog), lake, glueRegion).qualified(new Configuration());
        }

        TableIdentifier identifier() {
            return LakeTables.identifier(database, table);
        }

        Table load(Configuration conf) {
            LakeTables tables = tables();
            return tables.load(tables.catalog(conf), identifier());
        }

        SparkSession session(String appName) {
            SparkSession.Builder builder = SparkSession.builder().appName(appName);
            SparkConf conf = new SparkConf();
            if (!conf.contains("spark.master")) {
                builder.master("local[*]").config("spark.ui.enabled", "false");
            }
            LocalFileSystems.useNio(conf.get("spark.master", "local[*]"));
            tables().sparkConf().forEach(builder::config);
            return builder.getOrCreate();
        }
    }

    /** The compaction flags {@code status} and {@code compact} share. */
    static final class CompactionFlags {
        @Option(names = "--grace", defaultValue = "2h", paramLabel = "DURATION",
                description = "An hour is compacted once it ended this long ago (default: ${DEFAULT-VALUE}).")
        String grace;

        @Option(names = "--target-file-size-mb", defaultValue = "128",
                description = "Size compacted files aim at, in MB (default: ${DEFAULT-VALUE}).")
        long targetFileSizeMb;

        CompactionOptions options() {
            return new CompactionOptions(targetFileSizeMb * 1024 * 1024, Durations.parse(grace), CompactionOptions.DEFAULT_MAX_COMMITS);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Partitions, files, bytes, rows, oldest and newest hour, snapshots, hours pending compaction.")
    static final class StatusCommand implements Callable<Integer> {
        @Mixin
        TableOptions table;

        @Mixin
        CompactionFlags compaction;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            LakeStatus status = LakeStatus.of(table.load(new Configuration()), compaction.options(), Clock.systemUTC());
            if (json) {
                System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(status)));
            } else {
                System.out.print(render(status));
            }
            return 0;
        }
    }

    static Map<String, Object> toJson(LakeStatus s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("table", s.table());
        out.put("location", s.location());
        out.put("snapshot_id", s.snapshotId());
        out.put("snapshot_at", s.snapshotAt().map(Instant::toString).orElse(null));
        out.put("snapshots", s.snapshots());
        out.put("oldest_snapshot_at", s.oldestSnapshotAt().map(Instant::toString).orElse(null));
        out.put("partitions", s.partitions());
        out.put("files", s.files());
        out.put("small_files", s.smallFiles());
        out.put("bytes", s.bytes());
        out.put("rows", s.rows());
        out.put("oldest_hour", s.oldest().map(LakePartition::path).orElse(null));
        out.put("newest_hour", s.newest().map(LakePartition::path).orElse(null));
        out.put("hours_pending_compaction", s.pendingCompaction().size());
        out.put("pending_compaction", s.pendingCompaction().stream().map(LakePartition::path).toList());
        out.put("retain", s.retain().orElse(null));
        return out;
    }

    static String render(LakeStatus s) {
        StringBuilder b = new StringBuilder();
        row(b, "table", s.table());
        row(b, "location", s.location());
        row(b, "snapshot", s.snapshotId() < 0 ? "none (empty table)" : s.snapshotId() + " at " + s.snapshotAt().map(Instant::toString).orElse("-"));
        row(b, "snapshots kept", s.snapshots() + s.oldestSnapshotAt().map(t -> ", oldest " + t).orElse(""));
        row(b, "partitions", Integer.toString(s.partitions()));
        row(b, "files", s.files() + " (" + s.smallFiles() + " small)");
        row(b, "bytes", String.format(Locale.ROOT, "%,d (%.1f MB)", s.bytes(), s.bytes() / 1048576.0));
        row(b, "rows", String.format(Locale.ROOT, "%,d", s.rows()));
        row(b, "oldest hour", s.oldest().map(LakePartition::path).orElse("-"));
        row(b, "newest hour", s.newest().map(LakePartition::path).orElse("-"));
        row(b, "pending compaction", s.pendingCompaction().size() + " hours"
                + (s.pendingCompaction().isEmpty() ? "" : ", oldest " + s.pendingCompaction().get(0).path()));
        row(b, "retention", s.retain().map(r -> r + " (table property " + RetentionOptions.RETAIN_PROPERTY + ")").orElse("none set"));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "%-20s %s%n", name, value));
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = {"Rewrite the small files of hours closed for longer than --grace into files of the target size,",
                    "then rewrite the manifests. Safe while the streaming job writes: its appends do not conflict."})
    static final class CompactCommand implements Callable<Integer> {
        @Mixin
        TableOptions table;

        @Mixin
        CompactionFlags compaction;

        @Override
        public Integer call() {
            SparkSession spark = table.session("streamtree-lake-compact");
            LakeCompaction.Result r = new LakeCompaction(spark, Clock.systemUTC())
                    .compact(table.load(spark.sparkContext().hadoopConfiguration()), compaction.options());
            System.out.printf(Locale.ROOT, "compacted %d of %d pending hours: %d files -> %d (%d files rewritten into %d, %,d bytes)%s; "
                            + "manifests %d -> %d; %.1f s%n", r.hoursRewritten(), r.hoursPending(), r.filesBefore(), r.filesAfter(),
                    r.rewrittenFiles(), r.addedFiles(), r.rewrittenBytes(),
                    r.failedFiles() > 0 ? "; " + r.failedFiles() + " files failed (kept, retried next run)" : "",
                    r.manifestsRewritten(), r.manifestsAdded(), r.millis() / 1000.0);
            return 0;
        }
    }

    @Command(name = "retain", mixinStandardHelpOptions = true,
            description = {"Delete hour partitions older than --retain (or the table property " + RetentionOptions.RETAIN_PROPERTY + "),",
                    "expire old snapshots, delete orphan files and clean the writer's journal of committed batches."})
    static final class RetainCommand implements Callable<Integer> {
        @Mixin
        TableOptions table;

        @Option(names = "--retain", paramLabel = "DURATION",
                description = "Event time to keep, e.g. 90d; also saved as the table property when --save is given.")
        String retain;

        @Option(names = "--save", description = "Store --retain as the table property " + RetentionOptions.RETAIN_PROPERTY
                + ", so later runs and the scheduler apply it.")
        boolean save;

        @Option(names = "--keep-snapshots-for", defaultValue = "1d", paramLabel = "DURATION",
                description = "Snapshots younger than this are kept (default: ${DEFAULT-VALUE}).")
        String snapshotsFor;

        @Option(names = "--keep-snapshots", defaultValue = "10", description = "At least this many snapshots are kept (default: ${DEFAULT-VALUE}).")
        int minSnapshots;

        @Option(names = "--orphan-age", defaultValue = "3d", paramLabel = "DURATION",
                description = "Files in no snapshot are deleted when older than this; keep it far above the commit interval (default: ${DEFAULT-VALUE}).")
        String orphanAge;

        @Override
        public Integer call() {
            Optional<Duration> keep = Optional.ofNullable(retain).map(Durations::parse);
            if (save && keep.isEmpty()) {
                throw new IllegalArgumentException("--save needs --retain");
            }
            RetentionOptions options = new RetentionOptions(keep, Durations.parse(snapshotsFor), minSnapshots, Durations.parse(orphanAge));
            SparkSession spark = table.session("streamtree-lake-retain");
            Table loaded = table.load(spark.sparkContext().hadoopConfiguration());
            if (save) {
                loaded.updateProperties().set(RetentionOptions.RETAIN_PROPERTY, retain.trim()).commit();
            }
            LakeRetention.Result r = new LakeRetention(spark, Clock.systemUTC())
                    .retain(loaded, LakeRetention.journalLocation(table.tables(), table.identifier()), options);
            System.out.printf(Locale.ROOT, "retention %s: %d hour partitions deleted (%d files, %,d rows); %d snapshots expired "
                            + "(%d data files, %d manifest files deleted); %d orphan files deleted%s; %d journal files cleaned; %.1f s%n",
                    r.retained().map(Durations::format).orElse("none set"), r.deletedPartitions(), r.deletedPartitionFiles(),
                    r.deletedRows(), r.expiredSnapshots(), r.deletedDataFiles(), r.deletedManifests(), r.deletedOrphans(),
                    r.orphansSkipped().map(why -> " (orphan removal skipped: " + why + ")").orElse(""),
                    r.journalEntriesDeleted(), r.millis() / 1000.0);
            return 0;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Import a lake of the layout streamtree wrote before 2026-12-02 (Hive-style Parquet directories",
                    "event_date=.../event_hour=...) into the events table, in one snapshot; the old files are left as they are.",
                    "A second run from the same directory is refused."})
    static final class MigrateCommand implements Callable<Integer> {
        @Mixin
        TableOptions table;

        @Option(names = "--from", required = true, paramLabel = "PATH",
                description = "The old lake: the directory that holds the event_date=... directories (path or URI).")
        String from;

        @Option(names = JobOptions.SCHEMA, defaultValue = JobDefaults.SCHEMA,
                description = "Schema of the old lake's events (default: ${DEFAULT-VALUE}).")
        String schema;

        @Option(names = "--dry-run", description = "Count and check the rows; write nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            EventSchema events = SchemaCodec.load(schema);
            SparkSession spark = table.session("streamtree-lake-migrate");
            LakeTables tables = table.tables();
            Table loaded = tables.ensureEventsTable(tables.catalog(spark.sparkContext().hadoopConfiguration()),
                    table.identifier(), events);
            LakeMigration.Result r = new LakeMigration(spark, Clock.systemUTC()).migrate(loaded, events, from, dryRun);
            if (r.dryRun()) {
                System.out.printf(Locale.ROOT, "dry run: would migrate %,d rows in %d hour partitions from %s into %s; "
                        + "nothing written (%.1f s)%n", r.rows(), r.partitions(), r.from(), loaded.name(), r.millis() / 1000.0);
            } else {
                System.out.printf(Locale.ROOT, "migrated %,d rows in %d hour partitions from %s into %s: %d files, snapshot %d "
                        + "(%.1f s); the old files are untouched%n", r.rows(), r.partitions(), r.from(), loaded.name(),
                        r.files(), r.snapshotId(), r.millis() / 1000.0);
            }
            return 0;
        }
    }
}
