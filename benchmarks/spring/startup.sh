#!/usr/bin/env bash
# Start-up time and memory of the Spring Boot sample (spring-boot-sample/target/semblance-sample-exec.jar)
# beside the plain service (`semblance serve`), started alternately on loopback with the same JVM
# options: milliseconds from launch until each answers its readiness probe, resident memory then,
# and resident memory after enrolling the tv-characters cast and recognising a group photo 50 times.
#
#   benchmarks/spring/startup.sh [RUNS] [JAVA_OPTS]   (after mvn -B -DskipTests package)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-5}
opts=${2:--Xmx1g}
data=$root/../shared/data/tv-characters
cli=$root/examples/target/semblance-cli.jar
sample=$root/spring-boot-sample/target/semblance-sample-exec.jar
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cast="amy bernadette howard leonard penny raj sheldon stuart"

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# run SIDE N: prints "side ready_ms rss_ready rss_working"
run() {
  local side=$1 dir=$work/$1-$2 port=$((18090 + $2)) start ready key=
  mkdir -p "$dir"
  if [ "$side" = serve ]; then
    key=$(java -jar "$cli" keys add --dir "$dir" --role admin --label bench 2>/dev/null | tail -1)
    start=$(now_ms)
    java $opts --add-modules jdk.incubator.vector -jar "$cli" serve --dir "$dir" --port "$port" \
      --rate-limit 0 >"$dir/log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do sleep 0.02; done
  else
    start=$(now_ms)
    java $opts --add-modules jdk.incubator.vector -jar "$sample" --server.port="$port" \
      --semblance.gallery.directory="$dir/gallery" >"$dir/log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/actuator/health/readiness"; do sleep 0.02; done
  fi
  ready=$(( $(now_ms) - start ))
  local rss_ready; rss_ready=$(rss_mib "$pid")
  for person in $cast; do
    if [ "$side" = serve ]; then
      curl -sf -o /dev/null -H "X-Api-Key: $key" -F "subject=$person" \
        -F "file=@$data/$person/${person}1.png" "http://127.0.0.1:$port/api/v1/subjects"
    else
      curl -sf -o /dev/null -F "photo=@$data/$person/${person}1.png" "http://127.0.0.1:$port/people/$person"
    fi
  done
  for _ in $(seq 50); do
    if [ "$side" = serve ]; then
      curl -sf -o /dev/null -H "X-Api-Key: $key" -F "file=@$data/group-photos/bbt3.jpg" \
        "http://127.0.0.1:$port/api/v1/recognize"
    else
      curl -sf -o /dev/null -F "photo=@$data/group-photos/bbt3.jpg" "http://127.0.0.1:$port/people/recognize"
    fi
  done
  echo "$side $ready $rss_ready $(rss_mib "$pid")"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

results=$work/results
for n in $(seq "$runs"); do
  if (( n % 2 )); then run serve "$n"; run sample "$n"; else run sample "$n"; run serve "$n"; fi
done | tee "$results"
echo
echo "median of $runs runs each, JVM options: $opts --add-modules jdk.incubator.vector; $(nproc) cores"
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
m = {s: [statistics.median(int(r[i]) for r in rows if r[0] == s) for i in (1, 2, 3)]
     for s in ("serve", "sample")}
print("| | ready (ms) | RSS when ready (MiB) | RSS after 8 enrolments + 50 recognitions (MiB) |")
print("|---|---:|---:|---:|")
print("| `semblance serve` | %d | %d | %d |" % tuple(m["serve"]))
print("| Spring Boot sample | %d | %d | %d |" % tuple(m["sample"]))
print("| sample / serve | %.2f | %.2f | %.2f |" % tuple(a / b for a, b in zip(m["sample"], m["serve"])))
PY
