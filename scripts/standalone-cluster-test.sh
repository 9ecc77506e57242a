#!/usr/bin/env bash
# A real distributed run: a Spark standalone master and two workers as separate JVMs on 127.0.0.1, the shaded
# streaming job submitted to them with --master spark://127.0.0.1:<port>, an embedded Kafka broker, the shaded retrain
# job submitted to the same cluster to promote a model, and checks that every produced event lands in the lake exactly
# once and that every event produced after the promotion is scored by the promoted model. Worker 2 is killed (SIGKILL,
# with its executor) while it runs a task of the first batch scored by the new model, unless KILL_WORKER=0, so the
# exactly-once check also covers a lost executor and re-run tasks.
#
# Build first (from the repository root):  ./mvnw -B -DskipTests package
# Run:                                     scripts/standalone-cluster-test.sh
# The failsafe test StandaloneClusterIT (deploy-tests) runs it as part of ./mvnw -B verify.
# Environment: EVENTS_BEFORE (default 3000), EVENTS_AFTER (2000), KILL_WORKER (1), KEEP_WORK (0: delete the work dir).
# Needs bash, java 17, python3 (free ports) and Linux /proc; nothing else.
# Prints a "result:" line of key=value figures, then "standalone cluster test: PASSED" and exits 0 when all checks hold.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
events_before="${EVENTS_BEFORE:-3000}"
events_after="${EVENTS_AFTER:-2000}"
kill_worker="${KILL_WORKER:-1}"
version="$(grep -A1 '<artifactId>streamtree-parent</artifactId>' "$root/pom.xml" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | head -n 1)"
lib="$root/launcher/target/lib"
streaming_jar="$root/streaming-job/target/streamtree-streaming-job-$version-all.jar"
retrain_jar="$root/retrain-job/target/streamtree-retrain-job-$version-all.jar"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Every JVM here is short-lived and handles a few thousand records on a small machine: C1 only and the serial
# collector start faster and spend far less CPU on JIT and GC threads. JVM_OPTS overrides them.
jvm_opts="${JVM_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

for needed in "$lib" "$streaming_jar" "$retrain_jar" "$root/launcher/target/jvm.options"; do
  if [[ ! -e "$needed" ]]; then
    echo "standalone cluster test: $needed is missing; run ./mvnw -B -DskipTests package first" >&2
    exit 2
  fi
done
# Flags of the Spark JVMs: the --add-opens flags of the root pom's spark.java17.opens, as the launcher build writes
# them, plus jvm_opts.
spark_jvm="$(cat "$root/launcher/target/jvm.options") $jvm_opts"

work="$(mktemp -d "${TMPDIR:-/tmp}/streamtree-standalone.XXXXXX")"
cd "$work"  # whatever the JVMs write relative to their working directory (spark-warehouse/ ...) stays out of the checkout
mkdir -p "$work/logs"

say() { echo "[$(printf '%3d' "$SECONDS") s] $*"; }

# Direct children of a pid, from /proc (no procps needed).
children() {
  local stat line pid
  local -a fields
  for stat in /proc/[0-9]*/stat; do
    { line="$(<"$stat")"; } 2>/dev/null || continue
    read -r -a fields <<< "${line##*) }"  # state ppid pgrp ...
    if [[ "${fields[1]}" == "$1" ]]; then pid="${stat#/proc/}"; echo "${pid%/stat}"; fi
  done
}
# A pid and everything below it (executors are the workers' children).
tree() { local child; echo "$1"; for child in $(children "$1"); do tree "$child"; done; }

pids=()
cleanup() {
  local status=$? all=() pid n
  for pid in "${pids[@]}"; do all+=($(tree "$pid")); done
  for pid in "${all[@]}"; do kill "$pid" 2>/dev/null || true; done
  for n in $(seq 1 40); do  # up to 20 s for a clean stop, then SIGKILL
    alive=0
    for pid in "${all[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.5
  done
  for pid in "${all[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [[ $status -ne 0 ]]; then
    echo "standalone cluster test: FAILED (exit $status); logs in $work/logs" >&2
    tail -n 30 "$work"/logs/*.log >&2 || true
  elif [[ "${KEEP_WORK:-0}" != 1 ]]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# Waits until a file has a line matching a (grep basic) pattern; fails after the given seconds or when a watched
# process has exited.
wait_for_log() {  # file pattern seconds [pid-that-must-live]
  local deadline=$((SECONDS + $3))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    if (( SECONDS > deadline )); then echo "timed out after $3 s waiting for '$2' in $1" >&2; return 1; fi
    if [[ -n "${4:-}" ]] && ! kill -0 "$4" 2>/dev/null; then echo "process $4 exited while waiting for '$2' in $1" >&2; return 1; fi
    sleep 0.25
  done
}

# A Spark "distribution" for the workers: Spark's own jars only. The streamtree jars and the Kafka connector
# stay out, so executors get the job's classes from the shaded jar alone, as on a real cluster.
spark_home="$work/spark-home"
mkdir -p "$spark_home/jars" "$spark_home/conf"
for jar in "$lib"/*.jar; do
  case "$(basename "$jar")" in
    streamtree-*|spark-sql-kafka-*|spark-token-provider-kafka-*|kafka-clients-*|kafka_*|kafka-server-*|commons-pool2-*|picocli-*) ;;
    *) ln -s "$jar" "$spark_home/jars/" ;;
  esac
done
export SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
spark_cp="$spark_home/jars/*"

kafka_port="$(free_port)"; master_port="$(free_port)"; master_ui="$(free_port)"
bootstrap="127.0.0.1:$kafka_port"
master_url="spark://127.0.0.1:$master_port"
lake="$work/lake"; registry="$work/registry"; checkpoint="$work/checkpoints/streaming"

ingest() { # count seed
  "$java_bin" -Xmx512m $jvm_opts -cp "$lib/*" dev.streamtree.ingest.IngestMain generate \
    --bootstrap-servers "$bootstrap" --count "$1" --seed "$2" --rate 0 >> "$work/logs/ingest.log" 2>&1
}
# Sum of the events topic's offsets in the newest batch the streaming query has committed (Spark's checkpoint:
# commits/<n> is written after batch n's sink finished; offsets/<n> ends with the source's end offsets as JSON).
committed_events() {
  local last
  last="$(ls "$checkpoint/commits" 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n 1 || true)"
  if [[ -z "$last" || ! -f "$checkpoint/offsets/$last" ]]; then echo 0; return; fi
  tail -n 1 "$checkpoint/offsets/$last" | grep -oE ':[0-9]+' | tr -d ':' | awk '{ n += $1 } END { print n + 0 }'
}
wait_for_committed() { # events seconds
  local deadline=$((SECONDS + $2)) committed=0
  while (( SECONDS <= deadline )); do
    committed="$(committed_events)"
    if (( committed >= $1 )); then return 0; fi
    kill -0 "$streaming_pid" 2>/dev/null || { echo "the streaming job exited" >&2; return 1; }
    kill -0 "$broker_pid" 2>/dev/null || { echo "the Kafka broker exited" >&2; return 1; }
    sleep 0.5
  done
  echo "the streaming job did not commit a batch up to $1 events in $2 s (last: $committed)" >&2
  return 1
}
wait_for_lake() { # seconds: until the lake's journal is empty, i.e. every journaled micro-batch is in the table
  local deadline=$((SECONDS + $1))
  while (( SECONDS <= deadline )); do
    if ! compgen -G "$lake/_streamtree/journal/streamtree/events/*/batch-*" > /dev/null; then return 0; fi
    kill -0 "$streaming_pid" 2>/dev/null || { echo "the streaming job exited" >&2; return 1; }
    sleep 0.5
  done
  echo "the streaming job's lake journal was not committed in $1 s" >&2
  return 1
}
sent_events() { sed -n 's/.*generated read [0-9,]*, sent \([0-9,]*\),.*/\1/p' "$work/logs/ingest.log" | tr -d ',' | awk '{ n += $1 } END { print n + 0 }'; }

say "== embedded Kafka broker on $bootstrap; Spark standalone master $master_url"
STREAMTREE_JAVA_OPTS="-Xmx1g $jvm_opts" "$root/bin/streamtree" broker --port "$kafka_port" > "$work/logs/broker.log" 2>&1 &
broker_pid=$!
pids+=($broker_pid)
# shellcheck disable=SC2086
"$java_bin" -Xmx512m $spark_jvm -cp "$spark_cp" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$master_port" --webui-port "$master_ui" > "$work/logs/master.log" 2>&1 &
master_pid=$!
pids+=($master_pid)
wait_for_log "$work/logs/master.log" "I have been elected leader" 120 "$master_pid"

say "== two workers (2 cores each: one for the streaming job's executor, one for the retrain job's)"
worker_pids=()
for n in 1 2; do
  mkdir -p "$work/worker-$n"
  # shellcheck disable=SC2086
  "$java_bin" -Xmx512m $spark_jvm -cp "$spark_cp" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 2 --memory 2g --webui-port "$(free_port)" --work-dir "$work/worker-$n" \
    "$master_url" > "$work/logs/worker-$n.log" 2>&1 &
  pids+=($!); worker_pids+=($!)
done
wait_for_log "$work/logs/broker.log" "Kafka is up" 120 "$broker_pid"

say "== phase 1: producing $events_before events (no model serving yet) while the cluster starts"
ingest "$events_before" 1 &
ingest_pid=$!
for n in 1 2; do wait_for_log "$work/logs/worker-$n.log" "Successfully registered with master" 120 "${worker_pids[$((n - 1))]}"; done

say "== submitting the shaded streaming job to $master_url"
# shellcheck disable=SC2086
"$java_bin" -Xmx1g $spark_jvm -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit \
  --master "$master_url" --deploy-mode client \
  --executor-memory 1g --total-executor-cores 2 --conf spark.executor.cores=1 \
  --conf spark.sql.shuffle.partitions=2 --conf spark.ui.enabled=false --conf "spark.executor.extraJavaOptions=$jvm_opts" \
  --class dev.streamtree.streaming.StreamingJobMain "$streaming_jar" \
  --bootstrap-servers "$bootstrap" --lake "$lake" --registry "$registry" --checkpoint "$checkpoint" \
  --catalog local --trigger-interval 2s --lake-commit-interval 1s > "$work/logs/streaming.log" 2>&1 &
streaming_pid=$!
pids+=($streaming_pid)
wait "$ingest_pid" || { echo "producing the phase 1 events failed (see $work/logs/ingest.log)" >&2; exit 1; }
wait_for_log "$work/logs/worker-1.log" "Asked to launch executor" 180 "$streaming_pid"
wait_for_log "$work/logs/worker-2.log" "Asked to launch executor" 180 "$streaming_pid"
wait_for_committed "$events_before" 300
wait_for_lake 60
say "   the streaming job committed a batch covering all $events_before events, and the lake table holds it"

say "== retrain job submitted to the same cluster"
# One executor core and a one-point search: the point is that the shaded retrain jar trains and promotes on the cluster.
# shellcheck disable=SC2086
if ! "$java_bin" -Xmx1g $spark_jvm -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit \
    --master "$master_url" --deploy-mode client --executor-memory 1g --total-executor-cores 1 \
    --conf spark.ui.enabled=false --conf spark.sql.shuffle.partitions=2 --conf "spark.executor.extraJavaOptions=$jvm_opts" \
    --class dev.streamtree.retrain.RetrainJobMain "$retrain_jar" run \
    --bootstrap-servers "$bootstrap" --lake "$lake" --registry "$registry" --catalog local \
    --max-depths 5 --min-instances 1 --impurities gini > "$work/logs/retrain.log" 2>&1; then
  echo "the retrain job did not promote a model (exit code other than 0; see $work/logs/retrain.log)" >&2
  exit 1
fi
[[ -f "$registry/current" ]] || { echo "no current model in $registry after the retrain job" >&2; exit 1; }
model="$(tr -d '[:space:]' < "$registry/current")"
say "   promoted $model"

retried_tasks() { grep -cE 'Starting task [0-9]+\.[1-9][0-9]* in stage' "$work/logs/streaming.log" || true; }  # attempts > 0
retried_before="$(retried_tasks)"
if [[ "$kill_worker" == 1 ]]; then
  app_id="$(sed -n 's/.*Connected to Spark cluster with app ID \(app-[0-9-]*\).*/\1/p' "$work/logs/streaming.log" | head -n 1)"
  [[ -n "$app_id" ]] || { echo "no streaming application id in $work/logs/streaming.log" >&2; exit 1; }
  worker_tree=($(tree "${worker_pids[1]}"))  # listed first, so the kill follows the task start at once
  tasks_log="$(ls "$work"/worker-2/"$app_id"/*/stderr | head -n 1)"
  # Counted before phase 2: the stream is idle until its events arrive, and the first batch that reads them is the
  # first scored by the model (a batch is one short Spark job, so waiting for the job's "now serving" log line
  # first would see its task already running).
  tasks_before="$(grep -c 'Running task' "$tasks_log" || true)"
fi

say "== phase 2: producing $events_after events, to be scored by $model"
ingest "$events_after" 2 &
ingest_pid=$!
if [[ "$kill_worker" == 1 ]]; then
  # Kill worker 2 while its executor runs a task of the first batch scored by the new model.
  deadline=$((SECONDS + 60))
  until (( $(grep -c 'Running task' "$tasks_log" || true) > tasks_before )) || (( SECONDS > deadline )); do sleep 0.05; done
  kill -9 "${worker_tree[@]}" 2>/dev/null || true
  wait "${worker_pids[1]}" 2>/dev/null || true  # reaps it here, without bash's "Killed" job notice
  say "   killed worker 2 and its executor with SIGKILL (pids ${worker_tree[*]})"
fi
wait "$ingest_pid" || { echo "producing the phase 2 events failed (see $work/logs/ingest.log)" >&2; exit 1; }
expected=$((events_before + events_after))
wait_for_committed "$expected" 300
wait_for_lake 60
say "   the streaming job committed a batch covering all $expected events, and the lake table holds it"
retried=$(( $(retried_tasks) - retried_before ))
executors_lost="$(grep -c 'Lost executor' "$work/logs/streaming.log" || true)"

say "== reading the lake and the predictions topic"
# shellcheck disable=SC2086
verify="$("$java_bin" -Xmx2g $spark_jvm -cp "$lib/*" "$root/scripts/standalone/ClusterCheck.java" \
  verify "$lake" "$bootstrap" streamtree.predictions 2>>"$work/logs/check.log")"
read -r _ rows distinct <<< "$(grep '^lake ' <<< "$verify")"
read -r _ records predicted triples versions <<< "$(grep '^predictions ' <<< "$verify")"
sent="$(sent_events)"
echo "   lake: $rows rows, $distinct distinct ids (produced $sent)"
echo "   predictions: $records records, $predicted distinct events, $triples distinct (event,version,batch), versions $versions"
echo "   executors lost: $executors_lost; task attempts re-run after worker 2 was killed: $retried"
echo "result: produced=$sent produced_after_promotion=$events_after lake_rows=$rows lake_distinct_ids=$distinct" \
  "prediction_records=$records scored_events=$predicted scored_triples=$triples versions=$versions promoted=$model" \
  "worker_killed=$kill_worker executors_lost=$executors_lost retried_tasks=$retried"

failures=0
[[ "$sent" == "$expected" ]] || { echo "FAIL: ingest sent $sent events, expected $expected" >&2; failures=1; }
[[ "$rows" == "$expected" ]] || { echo "FAIL: lake has $rows rows, expected exactly $expected" >&2; failures=1; }
[[ "$distinct" == "$expected" ]] || { echo "FAIL: lake has $distinct distinct ids, expected $expected" >&2; failures=1; }
[[ "$predicted" == "$events_after" ]] || { echo "FAIL: $predicted events scored, expected the $events_after produced after promotion" >&2; failures=1; }
[[ "$triples" == "$events_after" ]] || { echo "FAIL: $triples distinct (event,version,batch), expected one per scored event ($events_after)" >&2; failures=1; }
[[ "$versions" == "$model" ]] || { echo "FAIL: predictions name model versions '$versions', expected $model" >&2; failures=1; }
kill -0 "$streaming_pid" 2>/dev/null || { echo "FAIL: the streaming job died" >&2; failures=1; }
(( failures == 0 )) || exit 1
say "standalone cluster test: PASSED ($expected events on a 2-worker cluster$([[ $kill_worker == 1 ]] && echo ", worker 2 killed mid-batch, $retried task attempts re-run"))"
