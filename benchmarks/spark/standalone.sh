#!/usr/bin/env bash
# The Spark jobs on a standalone cluster beside local mode, on this machine: a master and two
# one-core workers started from Spark's own jars as docs/scale.md describes, and the same encode
# (then self-search) of the first N LFW dev images run in local[2] and on the cluster alternately.
# Prints each run's seconds and the ratio cluster / local.
#
#   benchmarks/spark/standalone.sh [IMAGES] [RUNS]   (after mvn -B -DskipTests package)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
images=${1:-1000}
runs=${2:-3}
work=$(mktemp -d)
pids=()
cleanup() {
  local status=$?
  set +e
  if [ "$status" -ne 0 ] && [ -f "$work/jobs.log" ]; then tail -20 "$work/jobs.log" >&2; fi
  kill -9 "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# 1. SPARK_HOME/jars: Spark's jars (the build's Spark class path less what the job jar carries).
python3 - "$root/spark/target/semblance-spark-job.jar" "$root/spark/target/spark-classpath.txt" \
  "$work/spark-home/jars" <<'PY'
import os, sys, zipfile
carried = set(zipfile.ZipFile(sys.argv[1]).namelist())
os.makedirs(sys.argv[3])
for jar in open(sys.argv[2]).read().strip().split(':'):
    classes = [n for n in zipfile.ZipFile(jar).namelist() if n.endswith('.class') and not n.startswith('META-INF/')]
    if not classes or classes[0] not in carried:
        os.symlink(jar, os.path.join(sys.argv[3], os.path.basename(jar)))
PY
export SPARK_HOME=$work/spark-home SPARK_SCALA_VERSION=2.13
opens=$(sed -n 's:.*<spark.opens>\(--.*\)</spark.opens>.*:\1:p' "$root/spark/pom.xml")

# 2. A master and two workers of one core each.
java -Xmx512m $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port 17177 --webui-port 18180 >"$work/master.log" 2>&1 & pids+=($!)
until curl -sf -o /dev/null http://127.0.0.1:18180/json/; do sleep 0.5; done
for w in 1 2; do
  java -Xmx512m $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 2g --work-dir "$work/worker-$w" --webui-port 0 \
    spark://127.0.0.1:17177 >"$work/worker-$w.log" 2>&1 & pids+=($!)
done
until curl -sf http://127.0.0.1:18180/json/ | grep -q '"aliveworkers" *: *2'; do sleep 0.5; done

# 3. The same images, in local mode and on the cluster.
mkdir -p "$work/photos"
find "$root/../shared/data/lfw-dev/images" -name '*.jpg' | sort >"$work/all-images.txt"
head -n "$images" "$work/all-images.txt" | while read -r f; do cp "$f" "$work/photos/"; done
export SEMBLANCE_JAVA_OPTS=-Xmx2g
time_job() { # MASTER OUT ARGS...
  local master=$1 out=$2 start; shift 2
  start=$(date +%s.%N)
  "$root/bin/semblance-spark" "$@" --master "$master" --out "$out" \
    --conf spark.executor.memory=1g >>"$work/jobs.log" 2>&1
  echo "$(date +%s.%N) - $start" | bc
}
echo "images $images; cores $(nproc); $(java -version 2>&1 | head -1)"
echo "run | job | local[2] s | cluster (2 workers x 1 core) s | cluster / local"
for r in $(seq "$runs"); do
  for job in encode self-search; do
    if [ "$job" = encode ]; then args=(encode --in "$work/photos"); else
      args=(self-search --in "$work/faces-local-$r.parquet" --threshold 0.5); fi
    l=$(time_job 'local[2]' "$work/$job-local-$r.out" "${args[@]}")
    [ "$job" = encode ] && mv "$work/$job-local-$r.out" "$work/faces-local-$r.parquet"
    c=$(time_job spark://127.0.0.1:17177 "$work/$job-cluster-$r.out" "${args[@]}")
    printf '%s | %s | %.1f | %.1f | %.2f\n' "$r" "$job" "$l" "$c" "$(echo "$c / $l" | bc -l)"
  done
done
