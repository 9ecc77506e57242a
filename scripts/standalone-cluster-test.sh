#!/usr/bin/env bash
# A real distributed run: a Spark standalone master and two workers as separate JVMs on 127.0.0.1, the shaded
# streaming job submitted to them with --master spark://127.0.0.1:<port>, an embedded Kafka broker, and checks
# that every produced event lands in the lake exactly once and that events produced after a model is promoted
# are all scored by it. Worker 2 is killed (SIGKILL) in the middle of phase 2 unless KILL_WORKER=0, so the
# exactly-once check also covers lost executors and re-run tasks.
#
# Build first (from the repository root):  mvn -B -DskipTests package
# Run:                                     scripts/standalone-cluster-test.sh
# Environment: EVENTS_BEFORE (default 3000), EVENTS_AFTER (2000), KILL_WORKER (1), KEEP_WORK (0: delete the work dir).
# Exit code 0 and a final "standalone cluster test: PASSED" line when all checks hold.
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

for needed in "$lib" "$streaming_jar" "$root/launcher/target/jvm.options"; do
  if [[ ! -e "$needed" ]]; then
    echo "standalone cluster test: $needed is missing; run mvn -B -DskipTests package first" >&2
    exit 2
  fi
done
# The --add-opens flags of the root pom's spark.java17.opens, as the launcher build writes them.
opens="$(cat "$root/launcher/target/jvm.options")"

work="$(mktemp -d "${TMPDIR:-/tmp}/streamtree-standalone.XXXXXX")"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $status -ne 0 ]]; then
    echo "standalone cluster test: FAILED (exit $status); logs in $work/logs" >&2
    tail -n 30 "$work"/logs/*.log >&2 || true
  elif [[ "${KEEP_WORK:-0}" != 1 ]]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT
mkdir -p "$work/logs"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for_log() {  # file pattern seconds
  local deadline=$((SECONDS + $3))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    if (( SECONDS > deadline )); then echo "timed out waiting for '$2' in $1" >&2; return 1; fi
    sleep 1
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

echo "== embedded Kafka broker on $bootstrap"
"$root/bin/streamtree" broker --port "$kafka_port" > "$work/logs/broker.log" 2>&1 &
broker_pid=$!
pids+=($broker_pid)
wait_for_log "$work/logs/broker.log" "Kafka is up" 120

echo "== Spark standalone master $master_url and two workers"
# shellcheck disable=SC2086
"$java_bin" -Xmx512m $opens -cp "$spark_cp" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$master_port" --webui-port "$master_ui" > "$work/logs/master.log" 2>&1 &
pids+=($!)
wait_for_log "$work/logs/master.log" "I have been elected leader" 120
worker_pids=()
for n in 1 2; do
  mkdir -p "$work/worker-$n"
  # shellcheck disable=SC2086
  "$java_bin" -Xmx512m $opens -cp "$spark_cp" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 1536m --webui-port "$(free_port)" --work-dir "$work/worker-$n" \
    "$master_url" > "$work/logs/worker-$n.log" 2>&1 &
  pids+=($!); worker_pids+=($!)
done
for n in 1 2; do wait_for_log "$work/logs/worker-$n.log" "Successfully registered with master" 120; done

lake="$work/lake"; registry="$work/registry"; checkpoint="$work/checkpoints/streaming"
mkdir -p "$lake"  # the local catalog's partition recovery fails on a missing lake directory
echo "== submitting the shaded streaming job to $master_url"
# shellcheck disable=SC2086
"$java_bin" -Xmx1g $opens -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit \
  --master "$master_url" --deploy-mode client \
  --executor-memory 1g --total-executor-cores 2 --conf spark.executor.cores=1 \
  --conf spark.sql.shuffle.partitions=2 --conf spark.ui.enabled=false \
  --class dev.streamtree.streaming.StreamingJobMain "$streaming_jar" \
  --bootstrap-servers "$bootstrap" --lake "$lake" --registry "$registry" --checkpoint "$checkpoint" \
  --catalog local --trigger-interval 2s > "$work/logs/streaming.log" 2>&1 &
streaming_pid=$!
pids+=($streaming_pid)
wait_for_log "$work/logs/worker-1.log" "Asked to launch executor" 180
wait_for_log "$work/logs/worker-2.log" "Asked to launch executor" 180

check() { # args...
  "$java_bin" -Xmx2g $opens -cp "$lib/*" "$root/scripts/standalone/ClusterCheck.java" "$@" 2>>"$work/logs/check.log"
}
ingest() { # count seed
  "$java_bin" -Xmx512m -cp "$lib/*" dev.streamtree.ingest.IngestMain generate \
    --bootstrap-servers "$bootstrap" --count "$1" --seed "$2" --rate 0 >> "$work/logs/ingest.log" 2>&1
}
wait_for_lake_rows() { # expected seconds
  local deadline=$((SECONDS + $2)) counts=""
  while (( SECONDS <= deadline )); do
    if [[ -d "$lake" ]] && counts="$(check lake-rows "$lake")" && [[ "${counts%% *}" -ge "$1" ]]; then
      echo "$counts"; return 0
    fi
    kill -0 "$streaming_pid" 2>/dev/null || { echo "the streaming job exited" >&2; return 1; }
    kill -0 "$broker_pid" 2>/dev/null || { echo "the Kafka broker exited" >&2; return 1; }
    sleep 5
  done
  echo "lake did not reach $1 rows in $2 s (last: ${counts:-none})" >&2
  return 1
}

echo "== phase 1: $events_before events with no model serving"
ingest "$events_before" 1
counts="$(wait_for_lake_rows "$events_before" 240)"
echo "   lake rows/distinct ids: $counts"

echo "== promoting a model"
if [[ -f "$retrain_jar" ]] && unzip -l "$retrain_jar" | grep -q 'dev/streamtree/retrain/RetrainJobMain.class'; then
  # shellcheck disable=SC2086
  "$java_bin" -Xmx1g $opens -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit \
    --master "$master_url" --deploy-mode client --executor-memory 1g --total-executor-cores 2 \
    --conf spark.ui.enabled=false --class dev.streamtree.retrain.RetrainJobMain "$retrain_jar" run \
    --bootstrap-servers "$bootstrap" --lake "$lake" --registry "$registry" --catalog local \
    > "$work/logs/retrain.log" 2>&1
  echo "   retrain job ran on the cluster"
else
  echo "   (no RetrainJobMain in the retrain jar yet: fitting the model with scripts/standalone/ClusterCheck.java)"
  check seed-model "$lake" "$registry"
fi
[[ -f "$registry/current" ]] || { echo "no current model in $registry" >&2; exit 1; }
model="$(tr -d '[:space:]' < "$registry/current")"
echo "   serving $model"
sleep 6  # at least two triggers, so the next micro-batch resolves the new model

echo "== phase 2: $events_after events scored by $model"
ingest "$events_after" 2 &
ingest_pid=$!
if [[ "$kill_worker" == 1 ]]; then
  sleep 3
  echo "   killing worker 2 (pid ${worker_pids[1]}) and its executor"
  pkill -9 -P "${worker_pids[1]}" 2>/dev/null || true
  kill -9 "${worker_pids[1]}"
fi
wait "$ingest_pid"
expected=$((events_before + events_after))
counts="$(wait_for_lake_rows "$expected" 300)"
sleep 10
counts="$(check lake-rows "$lake")"
read -r rows distinct <<< "$counts"
echo "   lake rows/distinct ids: $rows/$distinct (expected $expected/$expected)"
read -r records predicted triples versions <<< "$(check predictions "$bootstrap" streamtree.predictions 15)"
echo "   predictions: $records records, $predicted distinct events, $triples distinct (event,version,batch), versions $versions"

failures=0
[[ "$rows" == "$expected" ]] || { echo "FAIL: lake has $rows rows, expected exactly $expected" >&2; failures=1; }
[[ "$distinct" == "$expected" ]] || { echo "FAIL: lake has $distinct distinct ids, expected $expected" >&2; failures=1; }
[[ "$predicted" == "$events_after" ]] || { echo "FAIL: $predicted events scored, expected the $events_after produced after promotion" >&2; failures=1; }
[[ "$versions" == "$model" ]] || { echo "FAIL: predictions name model versions '$versions', expected $model" >&2; failures=1; }
kill -0 "$streaming_pid" 2>/dev/null || { echo "FAIL: the streaming job died" >&2; failures=1; }
(( failures == 0 )) || exit 1
echo "standalone cluster test: PASSED ($expected events on a 2-worker cluster$([[ $kill_worker == 1 ]] && echo ', one worker killed mid-run'))"
