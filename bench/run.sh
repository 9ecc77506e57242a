#!/usr/bin/env bash
# Runs a streamtree benchmark on this machine (not part of the test suite). Build first:
#   ./mvnw -q -DskipTests package
# Usage: bench/run.sh <benchmark> [options]     (bench/run.sh --help lists them)
#   bench/run.sh all [--quick]      throughput, latency, swap and training with their baselines; one table,
#                                   JSON in bench/results/latest.json (docs/benchmarks.md)
#   bench/run.sh adaptation [--quick]   the feedback loop on the demo's drifting stream (own broker and Spark, 5 min per variant)
# Runs from the repository root, so relative paths (--out, --work, --sklearn-script) are relative to it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
launcher="$root/launcher/target"
bench_jar="$(ls "$root"/bench/target/streamtree-bench-*.jar 2>/dev/null | head -n 1 || true)"
if [[ -z "$bench_jar" || ! -f "$launcher/jvm.options" ]]; then
  echo "bench: not built; run ./mvnw -q -DskipTests package first" >&2
  exit 1
fi
launcher_jar="$(ls "$launcher"/streamtree-launcher-*.jar | head -n 1)"
# The bench builds its lake rows with the lake's test fixture (LakeRows: events validated the job's way).
lake_tests="$(ls "$root"/lake/target/streamtree-lake-*-tests.jar | head -n 1)"
cd "$root"
java_opts="${BENCH_JAVA_OPTS:--Xmx8g}"
# The real-time part runs the job as bin/streamtree --real-time does: with a 20 ms G1 pause goal unless set.
if [[ "${1:-}" == realtime && "$java_opts" != *MaxGCPauseMillis* ]]; then
  java_opts="$java_opts -XX:MaxGCPauseMillis=20"
fi
# shellcheck disable=SC2046,SC2086
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" $java_opts $(cat "$launcher/jvm.options") \
  -cp "$bench_jar:$lake_tests:$launcher_jar:$launcher/lib/*" dev.streamtree.bench.BenchMain "$@"
